import { defineConfig } from 'drizzle-kit';

// `npx drizzle-kit generate` writes a new migration into packages/db/migrations when the schema changed.
export default defineConfig({
  dialect: 'postgresql',
  schema: './packages/db/src/schema.ts',
  out: './packages/db/migrations',
  strict: true,
});
