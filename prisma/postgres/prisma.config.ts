// Prisma CLI configuration for the PostgreSQL side of the schema (docs/decisions/0160): used by
// `node scripts/prisma.mjs generate` (the PostgreSQL client) and `... migration` (its 0001_init SQL,
// through `migrate diff --from-empty`, which reads no database). Migrations are applied by
// app/models/migrate.server.ts, not by `prisma migrate deploy` (offline it applies nothing).
import { defineConfig } from "prisma/config";
import { PrismaPg } from "@prisma/adapter-pg";

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: "schema.prisma",
  async adapter() {
    return new PrismaPg({ connectionString: process.env.DATABASE_URL?.startsWith("postgres") ? process.env.DATABASE_URL : "postgresql://postgres@127.0.0.1:5432/postgres" });
  },
});
