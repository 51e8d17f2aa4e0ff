#!/usr/bin/env node
// Runs the stock Prisma CLI offline: no engine binaries are downloaded; the WASM schema engine
// and the better-sqlite3 adapter do the work (see prisma.config.ts and ../shared/STACK.md).
// Extra verb: `migration` regenerates prisma/migrations/0001_init/migration.sql from the schema, and
// writes the PostgreSQL side of the same schema (docs/decisions/0160): prisma/postgres/schema.prisma
// and, when it changed, a new prisma/postgres/migrations/NNNN_<name>. `generate` generates both clients.
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
  // PostgreSQL: 0001_init from empty the first time; afterwards, when prisma/schema.prisma changed,
  // a new migration with the difference between the committed prisma/postgres/schema.prisma and the
  // new one (`node scripts/prisma.mjs migration <name>`). Applied ones are never rewritten.
  const pgMigrations = path.join(root, "prisma", "postgres", "migrations");
  const before = fs.existsSync(PG_SCHEMA) ? fs.readFileSync(PG_SCHEMA, "utf8") : undefined;
  const hasInit = fs.existsSync(path.join(pgMigrations, "0001_init", "migration.sql"));
  const tmp = path.join(root, "prisma", "postgres", ".previous.prisma");
  if (before !== undefined) fs.writeFileSync(tmp, before);
  writePgSchema();
  const after = fs.readFileSync(PG_SCHEMA, "utf8");
  if (!hasInit || before !== after) {
    const from = hasInit ? ["--from-schema-datamodel", path.relative(root, tmp)] : ["--from-empty"];
    const pg = run(["migrate", "diff", "--config", PG_CONFIG, ...from, "--to-schema-datamodel", "prisma/postgres/schema.prisma", "--script"], { stdio: ["ignore", "pipe", "inherit"] });
    fs.rmSync(tmp, { force: true });
    if (pg.status !== 0) process.exit(pg.status ?? 1);
    const names = fs.existsSync(pgMigrations) ? fs.readdirSync(pgMigrations).filter((n) => /^\d{4}_/.test(n)).sort() : [];
    const next = hasInit ? `${String(Number(names.at(-1)?.slice(0, 4) ?? 0) + 1).padStart(4, "0")}_${(args[1] ?? "schema").replace(/[^a-z0-9_]/gi, "_")}` : "0001_init";
    const pgDir = path.join(pgMigrations, next);
    fs.mkdirSync(pgDir, { recursive: true });
    fs.writeFileSync(path.join(pgDir, "migration.sql"), pg.stdout);
    console.log(`wrote ${path.relative(root, pgDir)}/migration.sql`);
  } else {
    fs.rmSync(tmp, { force: true });
    console.log("prisma/postgres: schema unchanged, no new PostgreSQL migration");
  }
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
