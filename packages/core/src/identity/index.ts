export * from './access-policies.ts';
export * from './aws-auth.ts';
export * from './aws-auth-resolution.ts';
