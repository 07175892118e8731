export * from './custody.module';
export * from './custody.service';
export * from './dto';
export * from './errors';
