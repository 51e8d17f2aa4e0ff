/**
 * Applies prisma/migrations/* to a SQLite file, offline and in milliseconds, recording each in
 * Prisma's own `_prisma_migrations` table so that `npm run db:migrate` (prisma migrate deploy)
 * sees the same state. The CLI and the server call it on start, so a fresh DATABASE_URL just works.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type BetterSqlite3 from "better-sqlite3";
import { systemClock } from "../clock";
import type { PgSyncDb } from "./pgRaw.server";

/**
 * prisma/migrations of the checkout this module runs from: app/models/ under tsx, build/server/assets/
 * in the production bundle, hence the walk up rather than a fixed "../..".
 */
function findMigrationsDir(): string {
  let dir = path.dirname(new URL(import.meta.url).pathname);
  for (;;) {
    const candidate = path.join(dir, "prisma", "migrations");
    if (fs.existsSync(candidate)) return candidate;
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`no prisma/migrations folder above ${path.dirname(new URL(import.meta.url).pathname)}: the database cannot be migrated`);
    dir = up;
  }
}

export const MIGRATIONS_DIR = findMigrationsDir();
/** PostgreSQL's migrations: generated from the same prisma/schema.prisma (scripts/prisma.mjs migration). */
export const PG_MIGRATIONS_DIR = path.join(path.dirname(MIGRATIONS_DIR), "postgres", "migrations");

function migrationNames(dir: string): string[] {
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => fs.existsSync(path.join(dir, n, "migration.sql"))).sort() : [];
}

/**
 * Applies prisma/postgres/migrations/* in order, each in its own transaction, recording it in
 * `_facet_migrations` (name, sha256, applied_at). Idempotent; an advisory lock keeps two machines
 * that start at once from applying the same migration twice. Prisma's `migrate deploy` is not used:
 * offline it exits 0 and applies nothing (../shared/STACK.md).
 */
export function applyPgMigrations(db: PgSyncDb, dir = PG_MIGRATIONS_DIR): string[] {
  const names = migrationNames(dir);
  if (!names.length) throw new Error(`no PostgreSQL migrations in ${dir}: run \`node scripts/prisma.mjs migration\``);
  db.exec(`SELECT pg_advisory_lock(7316016)`);
  try {
    db.exec(`CREATE TABLE IF NOT EXISTS "_facet_migrations" (name TEXT PRIMARY KEY, checksum TEXT NOT NULL, applied_at TIMESTAMP(3) NOT NULL)`);
    const done = new Set((db.prepare(`SELECT name FROM "_facet_migrations"`).pluck().all() as string[]));
    const applied: string[] = [];
    for (const name of names) {
      if (done.has(name)) continue;
      const sql = fs.readFileSync(path.join(dir, name, "migration.sql"), "utf8");
      const checksum = crypto.createHash("sha256").update(sql).digest("hex");
      db.transaction(() => {
        db.call({ op: "exec", sql }); // the file as written: no dialect translation
        db.prepare(`INSERT INTO "_facet_migrations" (name, checksum, applied_at) VALUES (?, ?, ?)`).run(name, checksum, new Date(systemClock.nowMs()).toISOString());
      })();
      applied.push(name);
    }
    return applied;
  } finally {
    db.exec(`SELECT pg_advisory_unlock(7316016)`);
  }
}

export function applyMigrations(db: BetterSqlite3.Database, dir = MIGRATIONS_DIR): string[] {
  db.exec(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id" TEXT PRIMARY KEY NOT NULL, "checksum" TEXT NOT NULL, "finished_at" DATETIME,
    "migration_name" TEXT NOT NULL, "logs" TEXT, "rolled_back_at" DATETIME,
    "started_at" DATETIME NOT NULL DEFAULT current_timestamp, "applied_steps_count" INTEGER UNSIGNED NOT NULL DEFAULT 0)`);
  const done = new Set(
    (db.prepare(`SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`).all() as { migration_name: string }[]).map((r) => r.migration_name),
  );
  const names = fs.existsSync(dir)
    ? fs.readdirSync(dir).filter((n) => fs.existsSync(path.join(dir, n, "migration.sql"))).sort()
    : [];
  const applied: string[] = [];
  for (const name of names) {
    if (done.has(name)) continue;
    const sql = fs.readFileSync(path.join(dir, name, "migration.sql"), "utf8");
    const checksum = crypto.createHash("sha256").update(sql).digest("hex");
    db.transaction(() => {
      db.exec(sql);
      db.prepare(
        `INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, applied_steps_count, started_at) VALUES (?, ?, ?, ?, 1, ?)`,
      ).run(crypto.randomUUID(), checksum, systemClock.nowMs(), name, systemClock.nowMs());
    })();
    applied.push(name);
  }
  return applied;
}
