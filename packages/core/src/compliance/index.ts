export * from './evaluate.ts';
export { FRAMEWORKS } from './frameworks/index.ts';
export * from './model.ts';
