export * from './json-report.ts';
export * from './sarif.ts';
