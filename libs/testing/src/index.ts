export * from './domain/derive';
export * from './domain/grading';
export * from './dto';
export * from './errors';
export * from './grading-rules.service';
export * from './residual-tests.service';
export * from './testing.module';
export * from './views';
