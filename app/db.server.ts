/**
 * Database handles. Prisma (through a driver adapter: no engine binaries) for ordinary reads and
 * writes; a raw handle for the bulk paths (import, training reads) where per-row ORM overhead would
 * dominate. Both are used only from app/models/*.server.ts.
 *
 * DATABASE_URL picks the provider (docs/decisions/0160): `file:` is SQLite (better-sqlite3, the
 * embedded default), `postgresql://` is PostgreSQL (the Prisma client generated from
 * prisma/postgres/schema.prisma with @prisma/adapter-pg; the raw handle is PgSyncDb, which speaks the
 * same API as better-sqlite3). Migrations are applied when the database is first opened.
 */
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import Database from "better-sqlite3";
import { PrismaClient } from "@prisma/client";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { databaseFile, env, isPostgresUrl } from "./env.server";
import { applyMigrations, applyPgMigrations, MIGRATIONS_DIR } from "./models/migrate.server";
import { PgSyncDb } from "./models/pgRaw.server";

export type Dialect = "sqlite" | "postgres";
type Handles = { key: string; dialect: Dialect; raw: Database.Database; pg?: PgSyncDb; prisma: PrismaClient };
let handles: Handles | undefined;

function openSqlite(file: string): Handles {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  // Personal data: the database and its WAL/SHM are the owner's only (issue 15 point 7).
  if (!fs.existsSync(file)) fs.closeSync(fs.openSync(file, "a", 0o600));
  const raw = new Database(file);
  raw.pragma("journal_mode = WAL");
  // Deleted rows are overwritten with zeros on this handle (the one redaction uses).
  raw.pragma("secure_delete = ON");
  for (const f of [file, `${file}-wal`, `${file}-shm`]) if (fs.existsSync(f)) fs.chmodSync(f, 0o600);
  raw.pragma("synchronous = NORMAL");
  raw.pragma("busy_timeout = 10000");
  applyMigrations(raw);
  const prisma = new PrismaClient({ adapter: new PrismaBetterSQLite3({ url: "file:" + file }) });
  return { key: file, dialect: "sqlite", raw, prisma };
}

/** The Prisma client generated for PostgreSQL (node_modules/.prisma-pg/client, see prisma/postgres/schema.prisma). */
function pgPrismaClient(): typeof PrismaClient {
  const root = path.dirname(path.dirname(MIGRATIONS_DIR));
  const entry = path.join(root, "node_modules", ".prisma-pg", "client", "index.js");
  if (!fs.existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run db:generate\` (it generates the PostgreSQL client too)`);
  return (createRequire(import.meta.url)(entry) as { PrismaClient: typeof PrismaClient }).PrismaClient;
}

function openPostgres(url: string): Handles {
  const pg = new PgSyncDb(url);
  try {
    applyPgMigrations(pg);
  } catch (e) {
    pg.close();
    throw e;
  }
  const Client = pgPrismaClient();
  const prisma = new Client({ adapter: new PrismaPg({ connectionString: url }) });
  return { key: url, dialect: "postgres", raw: pg as unknown as Database.Database, pg, prisma };
}

/** Opens (and migrates) the database named by DATABASE_URL on first use. */
function handlesFor(): Handles {
  const url = env().DATABASE_URL;
  const key = isPostgresUrl(url) ? url : databaseFile();
  if (!handles || handles.key !== key) {
    if (handles) void closeDb();
    handles = isPostgresUrl(url) ? openPostgres(url) : openSqlite(key);
  }
  return handles;
}

export function prisma(): PrismaClient {
  return handlesFor().prisma;
}

/**
 * The raw handle: better-sqlite3 on SQLite, PgSyncDb (same API, SQL translated by
 * app/models/pgSql.server.ts) on PostgreSQL.
 */
export function rawDb(): Database.Database {
  return handlesFor().raw;
}

/** Which SQL the raw handle speaks, for the few statements that need a per-provider variant. */
export function rawDialect(): Dialect {
  return handlesFor().dialect;
}

export async function closeDb(): Promise<void> {
  const h = handles;
  handles = undefined;
  if (!h) return;
  await h.prisma.$disconnect();
  h.raw.close();
}
