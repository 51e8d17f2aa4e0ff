/**
 * Streamed CSV writing for the demo shop: rows are appended to a small text buffer that goes to
 * the file stream once it passes a threshold, waiting for the stream to drain, so that millions
 * of rows never sit in memory at once. RFC 4180 quoting: a field with a comma, quote or line break
 * is quoted, quotes doubled.
 */
import fs from "node:fs";
import { once } from "node:events";

export type Field = string | number | boolean | null | undefined;

const FLUSH_AT = 1 << 20; // about 1 MB of text per write

export class CsvWriter {
  private readonly stream: fs.WriteStream;
  private buffer = "";
  private rowCount = 0;
  private failure: Error | null = null;

  constructor(readonly path: string, readonly header: readonly string[]) {
    this.stream = fs.createWriteStream(path, { encoding: "utf8" });
    this.stream.on("error", (e) => (this.failure = e));
    this.buffer = header.map(csvField).join(",") + "\n";
  }

  get rows(): number {
    return this.rowCount;
  }

  /** Appends one row; call `maybeFlush()` now and then (e.g. once per customer). */
  row(fields: readonly Field[]): void {
    if (fields.length !== this.header.length) {
      throw new Error(`${this.path}: row ${this.rowCount + 1} has ${fields.length} fields, the header has ${this.header.length}`);
    }
    let line = "";
    for (let i = 0; i < fields.length; i++) {
      if (i) line += ",";
      line += csvField(fields[i]);
    }
    this.buffer += line + "\n";
    this.rowCount++;
  }

  /** Writes the buffer out once it is large, waiting for the file to take it (back-pressure). */
  async maybeFlush(): Promise<void> {
    if (this.buffer.length >= FLUSH_AT) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.failure) throw this.failure;
    if (!this.buffer) return;
    const chunk = this.buffer;
    this.buffer = "";
    if (!this.stream.write(chunk)) await once(this.stream, "drain");
  }

  async close(): Promise<void> {
    await this.flush();
    await new Promise<void>((resolve, reject) => {
      this.stream.end((err?: Error | null) => (err ? reject(err) : resolve()));
    });
    if (this.failure) throw this.failure;
  }
}

export function csvField(v: Field): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") return String(v);
  if (typeof v === "boolean") return v ? "true" : "false";
  if (/[",\n\r]/.test(v)) return `"${v.replace(/"/g, '""')}"`;
  return v;
}

/** Money with two decimals, as the import expects (34.00). */
export function money(v: number): string {
  return (Math.round(v * 100) / 100).toFixed(2);
}
