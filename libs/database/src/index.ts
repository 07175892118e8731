export * from './database-target';
export * from './database.module';
export * from './embedded-postgres';
export * from './migrate';
export * from './free-port';
export * from './prepared';
export * from './binary-array';
export * from './text-rows';
