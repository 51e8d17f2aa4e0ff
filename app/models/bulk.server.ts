/**
 * Bulk upserts for the importer: prepared INSERT ... ON CONFLICT DO UPDATE statements over the
 * columns a file actually has (a column left out of a re-import is left alone), and one
 * transaction around a whole import (all or nothing). An update only happens when a value
 * differs, so re-importing the same files changes nothing, not even updatedAt.
 */
import type Database from "better-sqlite3";
import { rawDb, rawDialect } from "../db.server";
import type { PgSyncDb } from "./pgRaw.server";
import { systemClock } from "../clock";

export interface UpsertTable {
  table: string;
  /** DB fields in the conflict key besides shop (always ["id"] here). */
  key: string[];
  /** Has an updatedAt column to touch when a row changes. */
  touchesUpdatedAt: boolean;
  /** Extra assignments when a row changes (e.g. un-deleting a product). */
  onChange?: string;
}

/**
 * A writer for rows given as arrays: [shop, ...values in `fields` order]. Returns the function
 * to call per row (synchronous; call it inside runAllOrNothing).
 */
export function upsertWriter(t: UpsertTable, fields: string[]): (row: unknown[]) => void {
  const db = rawDb();
  const cols = ["shop", ...fields];
  const nonKey = fields.filter((f) => !t.key.includes(f));
  const quoted = (f: string) => `"${f}"`;
  const sets = nonKey.map((f) => `${quoted(f)} = excluded.${quoted(f)}`);
  if (t.touchesUpdatedAt) sets.push(`"updatedAt" = excluded."updatedAt"`);
  if (t.onChange) sets.push(t.onChange);
  // The table name qualifies the stored row's columns (PostgreSQL finds bare names ambiguous here).
  const changed = nonKey.map((f) => `"${t.table}".${quoted(f)} IS DISTINCT FROM excluded.${quoted(f)}`);
  if (t.onChange?.includes("deletedAt")) changed.push(`"${t.table}"."deletedAt" IS NOT NULL`);
  const insertCols = t.touchesUpdatedAt ? [...cols, "updatedAt"] : cols;
  const conflict = `ON CONFLICT(shop, ${t.key.map(quoted).join(", ")}) ` +
    (sets.length && changed.length ? `DO UPDATE SET ${sets.join(", ")} WHERE ${changed.join(" OR ")}` : "DO NOTHING");
  if (rawDialect() === "postgres") return pgMultiRowWriter(db as unknown as PgSyncDb, t, insertCols, conflict);
  const sql = `INSERT INTO "${t.table}" (${insertCols.map(quoted).join(", ")}) VALUES (${insertCols.map(() => "?").join(", ")}) ${conflict}`;
  const stmt = db.prepare(sql);
  if (!t.touchesUpdatedAt) return (row) => void stmt.run(row);
  const now = systemClock.now().toISOString();
  return (row) => {
    row.push(now);
    stmt.run(row);
  };
}

/**
 * PostgreSQL: rows are held back and written as multi-row INSERTs (up to 1,000 rows or 60,000
 * parameters a statement): one round trip per batch instead of per row. Within a batch a later row
 * with the same key replaces an earlier one (what row-by-row upserts end with; PostgreSQL refuses
 * to update one row twice in one statement). Held rows are written before any other statement on
 * the handle runs, so reads and COMMIT see them.
 */
function pgMultiRowWriter(db: PgSyncDb, t: UpsertTable, insertCols: string[], conflict: string): (row: unknown[]) => void {
  const perRow = insertCols.length;
  const max = Math.max(1, Math.min(1000, Math.floor(60_000 / perRow)));
  const keyAt = ["shop", ...t.key].map((k) => insertCols.indexOf(k));
  const now = t.touchesUpdatedAt ? systemClock.now().toISOString() : undefined;
  const quoted = (f: string) => `"${f}"`;
  const head = `INSERT INTO "${t.table}" (${insertCols.map(quoted).join(", ")}) VALUES `;
  const tuple = `(${insertCols.map(() => "?").join(", ")})`;
  const statements = new Map<number, ReturnType<PgSyncDb["prepare"]>>();
  let held = new Map<string, unknown[]>();
  const flush = () => {
    if (!held.size) return;
    const rows = [...held.values()];
    held = new Map();
    db.release(flush);
    let stmt = statements.get(rows.length);
    if (!stmt) {
      stmt = db.prepare(head + new Array(rows.length).fill(tuple).join(", ") + " " + conflict);
      statements.set(rows.length, stmt);
    }
    stmt.run(rows.flat());
  };
  return (row) => {
    if (now !== undefined) row.push(now);
    if (row.length !== perRow) throw new Error(`import into ${t.table}: a row has ${row.length} values for ${perRow} columns`);
    const key = keyAt.map((i) => String(row[i])).join("\u0000");
    held.delete(key);
    held.set(key, row);
    if (held.size === 1) db.holdBack(flush, () => void (held = new Map()));
    if (held.size >= max) flush();
  };
}

/** Runs fn in one write transaction: everything it writes is committed together or not at all. */
export function runAllOrNothing<T>(fn: () => T): T {
  const db: Database.Database = rawDb();
  // A big page cache for the duration: index inserts in random key order (customer, time)
  // otherwise thrash SQLite's default 2 MB cache (128 MB here, given back after) and dominate a large import.
  const before = db.pragma("cache_size", { simple: true }) as number;
  db.pragma("cache_size = -131072");
  try {
    return db.transaction(fn).immediate();
  } finally {
    db.pragma(`cache_size = ${before}`);
  }
}

/** Makes sure the shop has its row (created on first import, never changed by a re-import). */
export function ensureShop(shop: string): void {
  const now = systemClock.now().toISOString();
  rawDb().prepare(`INSERT INTO "Shop" (id, installedAt, updatedAt) VALUES (?, ?, ?) ON CONFLICT(id) DO NOTHING`).run(shop, now, now);
}

/** Streams the ids of a shop's rows in a table (for reference checks), without materialising them. */
export function* shopIds(table: "Product" | "Customer" | "Order", shop: string): Generator<string> {
  const stmt = rawDb().prepare(`SELECT id FROM "${table}" WHERE shop = ?`).pluck();
  for (const id of stmt.iterate(shop)) yield id as string;
}
