export * from './api-key.entity';
export * from './api-keys.service';
export * from './dto';
export * from './enterprise.entity';
export * from './enterprises.module';
export * from './enterprises.service';
export * from './errors';
export * from './regulator.entity';
