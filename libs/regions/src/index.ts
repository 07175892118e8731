export * from './regions';
export * from './renamed';
