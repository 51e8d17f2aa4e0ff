/**
 * A streaming CSV reader for merchant exports: records come with the physical line they start on
 * (header = line 1; a quoted value with newlines counts every line), so that every problem can be
 * reported as file:line. Handles `,` `;` and tab (guessed from the header), RFC 4180 quotes, CRLF,
 * a UTF-8 BOM, and files that are not valid UTF-8 (Excel's windows-1252 / Latin-1 exports).
 *
 * The core (CsvParser) is synchronous and incremental; two drivers feed it: an async one for the
 * validation pass (the event loop keeps breathing) and a sync one for the write pass (which runs
 * inside one SQLite transaction). Memory is bounded by the chunk size, not the file size.
 */
import fs from "node:fs";
import { isUtf8 } from "node:buffer";

export type Encoding = "utf-8" | "windows-1252";

export interface CsvRecord {
  /** 1-based physical line where the record starts. */
  line: number;
  fields: string[];
}

export interface CsvProblem {
  line: number;
  message: string;
}

export interface CsvBatch {
  records: CsvRecord[];
  problems: CsvProblem[];
  /** Bytes of the file read so far (for progress). */
  bytesRead: number;
  totalBytes: number;
  /** The delimiter in use (guessed from the header unless given). */
  delimiter: string;
}

const CHUNK = 1 << 20;
/** A quoted value longer than this is taken for an unclosed quote (Excel's cell limit is 32,767). */
const MAX_QUOTED_SPAN = 4 << 20;
const QUOTE = 34;
const LF = 10;
const CR = 13;
const CANDIDATE_DELIMITERS = [",", ";", "\t"];

/** UTF-8 when every byte sequence is valid UTF-8, else windows-1252 (a superset of Latin-1). */
export function detectEncoding(file: string): { encoding: Encoding; bom: boolean } {
  const fd = fs.openSync(file, "r");
  try {
    const buf = Buffer.allocUnsafe(CHUNK + 4);
    let carry = 0;
    let first = true;
    let bom = false;
    for (;;) {
      const n = fs.readSync(fd, buf, carry, CHUNK, null);
      const len = carry + n;
      if (first) {
        bom = len >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf;
        first = false;
      }
      const keep = n === 0 ? 0 : incompleteTail(buf, len);
      if (!isUtf8(buf.subarray(0, len - keep))) return { encoding: "windows-1252", bom: false };
      if (n === 0) return { encoding: "utf-8", bom };
      buf.copy(buf, 0, len - keep, len);
      carry = keep;
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** Bytes at the end of buf[0..len) that start a multi-byte UTF-8 sequence not yet complete. */
function incompleteTail(buf: Buffer, len: number): number {
  for (let k = 1; k <= 3 && k <= len; k++) {
    const b = buf[len - k];
    if ((b & 0xc0) === 0x80) continue; // continuation byte: look further back
    if (b >= 0xc0) {
      const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
      return need > k ? k : 0;
    }
    return 0;
  }
  return 0;
}

/** Picks the delimiter that occurs most often outside quotes in the header line. */
export function guessDelimiter(headerLine: string): string {
  let best = ",";
  let bestCount = 0;
  for (const d of CANDIDATE_DELIMITERS) {
    let count = 0;
    let inQuotes = false;
    for (let i = 0; i < headerLine.length; i++) {
      const c = headerLine[i];
      if (c === '"') inQuotes = !inQuotes;
      else if (!inQuotes && c === d) count++;
    }
    if (count > bestCount) {
      best = d;
      bestCount = count;
    }
  }
  return best;
}

/** Incremental CSV parser: push decoded text, collect complete records. */
export class CsvParser {
  delimiter: string | undefined;
  private buf = "";
  private line = 1;
  private nextQuote = -1;
  private dead = false;

  constructor(delimiter?: string) {
    this.delimiter = delimiter;
  }

  push(text: string, out: CsvRecord[], problems: CsvProblem[]): void {
    this.buf = this.buf.length ? this.buf + text : text;
    this.nextQuote = -1;
    this.parse(false, out, problems);
  }

  end(out: CsvRecord[], problems: CsvProblem[]): void {
    this.parse(true, out, problems);
    this.buf = "";
  }

  private parse(final: boolean, out: CsvRecord[], problems: CsvProblem[]): void {
    if (this.dead) return;
    const buf = this.buf;
    const n = buf.length;
    if (this.delimiter === undefined) {
      // Guess from the first line with content (the header), skipping leading blank lines.
      let start = 0;
      for (;;) {
        const nl = buf.indexOf("\n", start);
        if (nl === -1 && !final) return;
        const text = nl === -1 ? buf.slice(start) : buf.slice(start, nl);
        if (nl === -1 || text.trim() !== "") {
          this.delimiter = guessDelimiter(text);
          break;
        }
        start = nl + 1;
      }
    }
    const delim = this.delimiter;
    let pos = 0;
    while (pos < n) {
      const nl = buf.indexOf("\n", pos);
      if (nl === -1 && !final) break;
      const end = nl === -1 ? n : nl;
      if (this.nextQuote !== -2 && this.nextQuote < pos) {
        const q = buf.indexOf('"', pos);
        this.nextQuote = q === -1 ? -2 : q; // -2: no quote in the rest of the buffer
      }
      if (this.nextQuote === -2 || this.nextQuote >= end) {
        let stop = end;
        if (stop > pos && buf.charCodeAt(stop - 1) === CR) stop--;
        if (stop > pos) {
          const fields = buf.slice(pos, stop).split(delim);
          if (!isBlank(fields)) out.push({ line: this.line, fields });
        }
        this.line++;
        pos = end + 1;
        continue;
      }
      const r = this.parseQuotedRecord(pos, delim, final);
      if (r === undefined) {
        if (final) {
          problems.push({ line: this.line, message: "a quoted value is never closed (the file may be truncated); close the quote or export the file again" });
          pos = n;
        } else if (n - pos > MAX_QUOTED_SPAN) {
          problems.push({ line: this.line, message: "a quoted value is never closed (over 4 MB without a closing quote); close the quote or export the file again" });
          this.dead = true;
          pos = n;
        }
        break;
      }
      if (!isBlank(r.fields)) out.push({ line: this.line, fields: r.fields });
      this.line += r.lines;
      pos = r.next;
    }
    this.buf = pos >= n ? "" : buf.slice(pos);
    this.nextQuote = -1;
  }

  /** A record that contains quotes; undefined when it is not complete in the buffer. */
  private parseQuotedRecord(start: number, delim: string, final: boolean): { fields: string[]; next: number; lines: number } | undefined {
    const buf = this.buf;
    const n = buf.length;
    const dc = delim.charCodeAt(0);
    const fields: string[] = [];
    let field = "";
    let fieldStart = start;
    let lines = 0;
    let i = start;
    for (;;) {
      if (i >= n) {
        if (!final) return undefined;
        fields.push(field + buf.slice(fieldStart, n));
        return { fields, next: n, lines: 1 };
      }
      const c = buf.charCodeAt(i);
      if (c === QUOTE && i === fieldStart && field === "") {
        // A quoted value: up to the closing quote, "" is a literal quote.
        let seg = i + 1;
        let j = seg;
        for (;;) {
          const q = buf.indexOf('"', j);
          if (q === -1) return undefined;
          if (buf.charCodeAt(q + 1) === QUOTE) {
            field += buf.slice(seg, q + 1);
            j = seg = q + 2;
            continue;
          }
          if (q + 1 >= n && !final) return undefined; // the next char may still be a quote
          field += buf.slice(seg, q);
          lines += countNewlines(buf, i, q);
          i = q + 1;
          fieldStart = i;
          break;
        }
        continue;
      }
      if (c === dc) {
        fields.push(field + buf.slice(fieldStart, i));
        field = "";
        fieldStart = i + 1;
      } else if (c === LF) {
        let stop = i;
        if (stop > fieldStart && buf.charCodeAt(stop - 1) === CR) stop--;
        fields.push(field + buf.slice(fieldStart, stop));
        return { fields, next: i + 1, lines: lines + 1 };
      } else if (c === QUOTE && fieldStart < i) {
        // A stray quote inside an unquoted value (or after a closing quote): kept as text.
      }
      i++;
    }
  }
}

function countNewlines(s: string, from: number, to: number): number {
  let k = 0;
  for (let i = s.indexOf("\n", from); i !== -1 && i < to; i = s.indexOf("\n", i + 1)) k++;
  return k;
}

function isBlank(fields: string[]): boolean {
  for (const f of fields) if (f.trim() !== "") return false;
  return true;
}

function decoder(encoding: Encoding): TextDecoder {
  return new TextDecoder(encoding, { ignoreBOM: false });
}

export interface ReadOptions {
  encoding?: Encoding;
  delimiter?: string;
  chunkSize?: number;
}

/** Streams a CSV file as batches of records (async: for the validation pass). */
export async function* readCsv(file: string, opts: ReadOptions = {}): AsyncGenerator<CsvBatch> {
  const encoding = opts.encoding ?? detectEncoding(file).encoding;
  const totalBytes = fs.statSync(file).size;
  const dec = decoder(encoding);
  const parser = new CsvParser(opts.delimiter);
  let bytesRead = 0;
  const stream = fs.createReadStream(file, { highWaterMark: opts.chunkSize ?? CHUNK });
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    bytesRead += chunk.length;
    const records: CsvRecord[] = [];
    const problems: CsvProblem[] = [];
    parser.push(dec.decode(chunk, { stream: true }), records, problems);
    if (records.length || problems.length) yield { records, problems, bytesRead, totalBytes, delimiter: parser.delimiter ?? "," };
  }
  const records: CsvRecord[] = [];
  const problems: CsvProblem[] = [];
  const tail = dec.decode();
  if (tail) parser.push(tail, records, problems);
  parser.end(records, problems);
  yield { records, problems, bytesRead, totalBytes, delimiter: parser.delimiter ?? "," };
}

/** Streams a CSV file synchronously (for the write pass inside a transaction). */
export function readCsvSync(file: string, onBatch: (batch: CsvBatch) => void, opts: ReadOptions = {}): void {
  const encoding = opts.encoding ?? detectEncoding(file).encoding;
  const totalBytes = fs.statSync(file).size;
  const dec = decoder(encoding);
  const parser = new CsvParser(opts.delimiter);
  const fd = fs.openSync(file, "r");
  const buf = Buffer.allocUnsafe(opts.chunkSize ?? CHUNK);
  let bytesRead = 0;
  try {
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      const records: CsvRecord[] = [];
      const problems: CsvProblem[] = [];
      if (n === 0) {
        const tail = dec.decode();
        if (tail) parser.push(tail, records, problems);
        parser.end(records, problems);
        onBatch({ records, problems, bytesRead, totalBytes, delimiter: parser.delimiter ?? "," });
        return;
      }
      bytesRead += n;
      parser.push(dec.decode(buf.subarray(0, n), { stream: true }), records, problems);
      if (records.length || problems.length) onBatch({ records, problems, bytesRead, totalBytes, delimiter: parser.delimiter ?? "," });
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** Parses a whole string (tests, small files). */
export function parseCsvText(text: string, delimiter?: string): { records: CsvRecord[]; problems: CsvProblem[]; delimiter: string } {
  const parser = new CsvParser(delimiter);
  const records: CsvRecord[] = [];
  const problems: CsvProblem[] = [];
  parser.push(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, records, problems);
  parser.end(records, problems);
  return { records, problems, delimiter: parser.delimiter ?? "," };
}
