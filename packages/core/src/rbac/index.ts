export * from './index-builder.ts';
export * from './labels.ts';
export * from './match.ts';
