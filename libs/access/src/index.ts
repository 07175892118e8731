export * from './policy';
export * from './sql';
