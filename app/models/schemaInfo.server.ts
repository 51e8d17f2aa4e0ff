/**
 * The application's tables and columns, read from the database itself, per provider
 * (sqlite_master / PRAGMA on SQLite, information_schema on PostgreSQL). Migration bookkeeping
 * (_prisma_migrations, _facet_migrations) is left out.
 */
import { rawDb, rawDialect } from "../db.server";

export interface ColumnInfo {
  name: string;
  /** Declared type, lower case ("text", "integer", "double precision", "datetime", "timestamp without time zone", ...). */
  type: string;
}

export function listTables(): string[] {
  const db = rawDb();
  if (rawDialect() === "postgres") {
    return db
      .prepare(`SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name NOT IN ('_prisma_migrations', '_facet_migrations') ORDER BY table_name`)
      .pluck()
      .all() as string[];
  }
  return db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_prisma%' ORDER BY name`).pluck().all() as string[];
}

export function tableColumns(table: string): ColumnInfo[] {
  const db = rawDb();
  if (rawDialect() === "postgres") {
    return (db
      .prepare(`SELECT column_name AS name, data_type AS type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position`)
      .all(table) as ColumnInfo[]).map((c) => ({ name: c.name, type: c.type.toLowerCase() }));
  }
  return (db.prepare(`PRAGMA table_info("${table.replace(/"/g, '""')}")`).all() as ColumnInfo[]).map((c) => ({ name: c.name, type: c.type.toLowerCase() }));
}

export interface TableFootprint {
  table: string;
  rows: number;
  /** On disk, the table with its indexes (and on PostgreSQL its TOAST): dbstat / pg_total_relation_size. */
  bytes: number;
}

/** Rows and bytes of every application table (what the database costs as shops grow; the bench's growth step). */
export function tableFootprint(): TableFootprint[] {
  const db = rawDb();
  const pg = rawDialect() === "postgres";
  const bytesOf = new Map<string, number>();
  if (pg) {
    const rows = db
      .prepare(`SELECT relname AS "table", pg_total_relation_size(oid) AS bytes FROM pg_class WHERE relkind = 'r' AND relnamespace = current_schema()::regnamespace`)
      .all() as { table: string; bytes: number }[];
    for (const r of rows) bytesOf.set(r.table, Number(r.bytes));
  } else {
    // dbstat lists every b-tree (table or index) by name; an index counts for its table.
    const owner = new Map((db.prepare(`SELECT name, tbl_name AS tbl FROM sqlite_master WHERE type IN ('table', 'index')`).all() as { name: string; tbl: string }[]).map((r) => [r.name, r.tbl]));
    for (const r of db.prepare(`SELECT name, SUM(pgsize) AS bytes FROM dbstat GROUP BY name`).all() as { name: string; bytes: number }[]) {
      const t = owner.get(r.name) ?? r.name;
      bytesOf.set(t, (bytesOf.get(t) ?? 0) + Number(r.bytes));
    }
  }
  return listTables().map((table) => ({
    table,
    rows: Number(db.prepare(`SELECT COUNT(*) FROM "${table.replace(/"/g, '""')}"`).pluck().get()),
    bytes: bytesOf.get(table) ?? 0,
  }));
}
