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
