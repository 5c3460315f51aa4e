export * from './kubernetes.ts';
export * from './load.ts';
export * from './model.ts';
