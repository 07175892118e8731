export * from './batteries.module';
export * from './batteries.service';
export * from './battery.entity';
export * from './composition.entity';
export * from './dto';
export * from './errors';
export * from './status';
export * from './views';
