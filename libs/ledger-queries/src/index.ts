export * from './audit-log.service';
export * from './csv';
export * from './dto';
export * from './errors';
export * from './events.service';
export * from './ledger-queries.module';
