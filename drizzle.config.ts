import { defineConfig } from 'drizzle-kit';

// One set of SQL migrations for both runtimes: applied by the Node runtime at start and by
// `wrangler d1 migrations apply` (wrangler.toml points migrations_dir here).
export default defineConfig({
  dialect: 'sqlite',
  schema: './src/db/schema.ts',
  out: './src/db/migrations',
});
