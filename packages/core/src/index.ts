export * from './audit/index.ts';
export * from './checks/index.ts';
export * from './compliance/index.ts';
export * from './errors.ts';
export * from './exceptions/index.ts';
export * from './identity/index.ts';
export * from './rbac/index.ts';
export * from './snapshot/index.ts';
