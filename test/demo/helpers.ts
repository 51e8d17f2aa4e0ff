/**
 * Helpers for the demo generator's tests: a small RFC 4180 CSV reader, file hashing, and a
 * once-per-file generated shop in a temporary folder.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export type Row = Record<string, string>;

/** Parses CSV text (quoted fields with "" escapes and embedded commas/newlines). */
export function parseCsv(text: string): { header: string[]; rows: string[][] } {
  const records: string[][] = [];
  let field = "";
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      record.push(field);
      field = "";
    } else if (ch === "\n") {
      record.push(field);
      records.push(record);
      record = [];
      field = "";
    } else field += ch;
  }
  if (field || record.length) {
    record.push(field);
    records.push(record);
  }
  const [header, ...rows] = records;
  return { header, rows };
}

/** Reads a CSV file into objects keyed by the header; throws when a row's width differs. */
export function readCsv(file: string): { header: string[]; rows: Row[] } {
  const { header, rows } = parseCsv(fs.readFileSync(file, "utf8"));
  return {
    header,
    rows: rows.map((r, i) => {
      if (r.length !== header.length) throw new Error(`${path.basename(file)}:${i + 2}: ${r.length} fields, header has ${header.length}`);
      return Object.fromEntries(header.map((h, j) => [h, r[j]]));
    }),
  };
}

/** sha256 of every file under a folder, by relative path (sorted). */
export function hashTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[path.relative(dir, p)] = createHash("sha256").update(fs.readFileSync(p)).digest("hex");
    }
  };
  walk(dir);
  return out;
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}
