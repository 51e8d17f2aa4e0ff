import path from "node:path";
import type { CsvWriter } from "../csvWrite";

/** What a mapper from a public data set to the import format reports. */
export interface ConvertResult {
  source: string;
  out: string;
  files: { file: string; rows: number }[];
  /** Rows read from the source (data rows, not headers). */
  rowsRead: number;
  /** Rows left out, each reported in `problems`. */
  rowsSkipped: number;
  /** `file:line: what is wrong, what was done` (capped; problemCount counts all). */
  problems: string[];
  problemCount: number;
  /** Choices made for the whole data set (what a column became, what was filled in). */
  notes: string[];
}

export class ProblemLog {
  readonly lines: string[] = [];
  count = 0;
  constructor(private readonly keep = 500) {}
  add(file: string, line: number, message: string): void {
    this.count++;
    if (this.lines.length < this.keep) this.lines.push(`${file}:${line}: ${message}`);
  }
}

/** The `files` of a ConvertResult: each written file's name and data rows. */
export function writtenFiles(...writers: CsvWriter[]): { file: string; rows: number }[] {
  return writers.map((w) => ({ file: path.basename(w.file), rows: w.rows }));
}
