export * from './defaults.ts';
export * from './match.ts';
export * from './model.ts';
