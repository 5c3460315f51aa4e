export * from './json-report.ts';
