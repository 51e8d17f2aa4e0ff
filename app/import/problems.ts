/** Problems found in an import folder, reported as `file:line: column: what is wrong, what to do`. */
export interface ImportProblem {
  file: string;
  /** 1-based physical line (header = 1); for binary embedding files the 1-based row. */
  line: number;
  column?: string;
  message: string;
}

export function formatProblem(p: ImportProblem): string {
  return `${p.file}:${p.line}: ${p.column !== undefined ? `${p.column}: ` : ""}${p.message}`;
}

/** Keeps the first `keep` problems (memory stays bounded on a broken 2-million-row file) and counts all. */
export class ProblemList {
  readonly items: ImportProblem[] = [];
  total = 0;
  constructor(private readonly keep = 1000) {}

  add(p: ImportProblem): void {
    this.total++;
    if (this.items.length < this.keep) this.items.push(p);
  }

  get length(): number {
    return this.total;
  }

  /** Sorted by file order given, then line; at most `max` lines plus a line counting the rest. */
  format(fileOrder: string[], max = 200): string[] {
    const rank = (f: string) => {
      const i = fileOrder.indexOf(f);
      return i === -1 ? fileOrder.length : i;
    };
    const sorted = [...this.items].sort((a, b) => rank(a.file) - rank(b.file) || a.line - b.line);
    const lines = sorted.slice(0, max).map(formatProblem);
    if (this.total > lines.length) lines.push(`... and ${this.total - lines.length} more problems (fix the ones above and run the import again)`);
    return lines;
  }
}
