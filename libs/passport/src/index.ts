export * from './domain/passport';
export * from './dto';
export * from './passport.module';
export * from './passport.service';
