/**
 * The registry of files Facet writes that can hold customer ids (issue 15 point 7): batch --out
 * CSVs (app/jobs/batch.server.ts), data-request exports and campaign exports. Each writer records
 * the file here once it is in place; customers/redact rewrites every registered file without the
 * customer's rows and shop/redact deletes them (app/models/privacy.server.ts), wherever they were
 * written (a batch --out may name any path) and however old (job rows are pruned after the
 * retention period; this registry is not).
 */
import path from "node:path";
import { rawDb } from "../db.server";

export type ExportFileKind = "batch" | "data-request" | "campaign";

export interface ExportFileRow {
  shop: string;
  path: string;
  kind: ExportFileKind;
  createdAt: string;
}

/** Records (or re-records: a file written again keeps one row, with the newer time) a file of the shop. */
export function recordExportFile(shop: string, file: string, kind: ExportFileKind, now: Date): void {
  rawDb()
    .prepare(`INSERT INTO ExportFile (shop, path, kind, createdAt) VALUES (?, ?, ?, ?) ON CONFLICT (shop, path) DO UPDATE SET kind = excluded.kind, createdAt = excluded.createdAt`)
    .run(shop, path.resolve(file), kind, now.toISOString());
}

/** The shop's registered files, oldest first. */
export function exportFilesOf(shop: string): ExportFileRow[] {
  const rows = rawDb().prepare(`SELECT shop, path, kind, createdAt FROM ExportFile WHERE shop = ? ORDER BY createdAt, path`).all(shop) as (Omit<ExportFileRow, "createdAt"> & { createdAt: string | Date })[];
  return rows.map((r) => ({ ...r, createdAt: new Date(r.createdAt).toISOString() }));
}

/** Forgets files that were deleted (or found gone). */
export function forgetExportFiles(shop: string, files: string[]): void {
  const stmt = rawDb().prepare(`DELETE FROM ExportFile WHERE shop = ? AND path = ?`);
  for (const f of files) stmt.run(shop, path.resolve(f));
}
