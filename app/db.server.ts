/**
 * Database handles. Prisma (through the better-sqlite3 driver adapter: no engine binaries) for
 * ordinary reads and writes; a raw better-sqlite3 handle for the bulk paths (import, training
 * reads) where per-row ORM overhead would dominate. Both are used only from app/models/*.server.ts.
 */
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { PrismaClient } from "@prisma/client";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { databaseFile } from "./env.server";
import { applyMigrations } from "./models/migrate.server";

type Handles = { file: string; raw: Database.Database; prisma: PrismaClient };
let handles: Handles | undefined;

function open(file: string): Handles {
  fs.mkdirSync(path.dirname(file), { recursive: true });
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
  return { file, raw, prisma };
}

/** Opens (and migrates) the database named by DATABASE_URL on first use. */
function handlesFor(file = databaseFile()): Handles {
  if (!handles || handles.file !== file) {
    if (handles) void closeDb();
    handles = open(file);
  }
  return handles;
}

export function prisma(): PrismaClient {
  return handlesFor().prisma;
}

export function rawDb(): Database.Database {
  return handlesFor().raw;
}

export async function closeDb(): Promise<void> {
  const h = handles;
  handles = undefined;
  if (!h) return;
  await h.prisma.$disconnect();
  h.raw.close();
}
