export * from './queue.module';
export * from './system-queue';
export * from './recordable';
