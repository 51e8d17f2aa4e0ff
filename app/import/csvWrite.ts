/** Writes CSV files in the import format (RFC 4180 quoting, UTF-8, LF), streaming. */
import fs from "node:fs";

export function csvCell(v: unknown): string {
  if (v === null || v === undefined) return "";
  const s = String(v);
  return /[",\n\r;]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

export class CsvWriter {
  private fd: number;
  private buf: string[] = [];
  private size = 0;
  rows = 0;

  constructor(readonly file: string, readonly columns: string[]) {
    this.fd = fs.openSync(file, "w");
    this.line(columns);
  }

  /** A row as an object keyed by column name (missing keys are empty). */
  write(row: Record<string, unknown>): void {
    this.line(this.columns.map((c) => row[c]));
    this.rows++;
  }

  private line(values: unknown[]): void {
    const s = values.map(csvCell).join(",") + "\n";
    this.buf.push(s);
    this.size += s.length;
    if (this.size > 1 << 20) this.flush();
  }

  private flush(): void {
    if (this.buf.length) fs.writeSync(this.fd, this.buf.join(""));
    this.buf = [];
    this.size = 0;
  }

  close(): void {
    this.flush();
    fs.closeSync(this.fd);
  }
}
