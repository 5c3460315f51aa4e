export { CHECKS } from './registry.gen.ts';
