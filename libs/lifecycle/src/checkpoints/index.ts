export * from './checkpoint.service';
export * from './checkpoints.module';
export * from './merkle';
