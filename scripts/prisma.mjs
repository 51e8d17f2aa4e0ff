#!/usr/bin/env node
// Runs the stock Prisma CLI offline: no engine binaries are downloaded; the WASM schema engine
// and the better-sqlite3 adapter do the work (see prisma.config.ts and ../shared/STACK.md).
// Extra verb: `migration` regenerates prisma/migrations/0001_init/migration.sql from the schema, and
// the PostgreSQL side of the same schema (docs/decisions/0160): prisma/postgres/schema.prisma and
// prisma/postgres/migrations/0001_init/migration.sql. `generate` generates both clients.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { postgresSchema } from "./pgSchema.mjs";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const env = {
  ...process.env,
  PRISMA_SCHEMA_ENGINE_BINARY: "/bin/true",
  PRISMA_QUERY_ENGINE_LIBRARY: "/bin/true",
  PRISMA_HIDE_UPDATE_MESSAGE: "1",
  CHECKPOINT_DISABLE: "1",
};
const cli = path.join(root, "node_modules", "prisma", "build", "index.js");
if (!fs.existsSync(cli)) {
  console.error("Prisma is not installed: run `npm install` first.");
  process.exit(1);
}
const run = (args, opts = {}) => spawnSync(process.execPath, [cli, ...args], { cwd: root, env, encoding: "utf8", ...opts });

const PG_SCHEMA = path.join(root, "prisma", "postgres", "schema.prisma");
const PG_CONFIG = path.join("prisma", "postgres", "prisma.config.ts");
function writePgSchema() {
  fs.mkdirSync(path.dirname(PG_SCHEMA), { recursive: true });
  fs.writeFileSync(PG_SCHEMA, postgresSchema(fs.readFileSync(path.join(root, "prisma", "schema.prisma"), "utf8")));
}

const args = process.argv.slice(2);
if (args[0] === "generate") {
  writePgSchema();
  let r = run(args, { stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
  r = run(["generate", "--config", PG_CONFIG], { stdio: ["ignore", "ignore", "inherit"] });
  process.exit(r.status ?? 1);
} else if (args[0] === "migration") {
  writePgSchema();
  const pg = run(["migrate", "diff", "--config", PG_CONFIG, "--from-empty", "--to-schema-datamodel", "prisma/postgres/schema.prisma", "--script"], { stdio: ["ignore", "pipe", "inherit"] });
  if (pg.status !== 0) process.exit(pg.status ?? 1);
  const pgDir = path.join(root, "prisma", "postgres", "migrations", "0001_init");
  fs.mkdirSync(pgDir, { recursive: true });
  fs.writeFileSync(path.join(pgDir, "migration.sql"), pg.stdout);
  console.log(`wrote ${path.relative(root, pgDir)}/migration.sql`);
  const r = run(["migrate", "diff", "--from-empty", "--to-schema-datamodel", "prisma/schema.prisma", "--script"], { stdio: ["ignore", "pipe", "inherit"] });
  if (r.status !== 0) process.exit(r.status ?? 1);
  const dir = path.join(root, "prisma", "migrations", "0001_init");
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "migration.sql"), r.stdout);
  fs.writeFileSync(path.join(root, "prisma", "migrations", "migration_lock.toml"), 'provider = "sqlite"\n');
  console.log(`wrote ${path.relative(root, dir)}/migration.sql`);
} else {
  const r = run(args, { stdio: "inherit" });
  process.exit(r.status ?? 1);
}
