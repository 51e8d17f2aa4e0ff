/**
 * Pass 1 of an import: streams a CSV file, checks its header and every row against its FileSpec
 * (types, enums, required values, duplicate ids, references to products/customers/orders known
 * from the database or from earlier files of the same folder) and reports every problem. Only
 * compact id sets are kept. The FilePlan it returns tells pass 2 how to read the file again.
 */
import fs from "node:fs";
import path from "node:path";
import { detectEncoding, readCsv, readCsvSync, type CsvRecord, type Encoding } from "./csv";
import { IdHashSet } from "./idSet";
import type { ImportProblem, ProblemList } from "./problems";
import { parseCategoryValue, parseValue, ValueError, type ColumnSpec, type FileSpec, type ParseContext, type Reference } from "./schemas";

export interface FilePlan {
  spec: FileSpec;
  path: string;
  encoding: Encoding;
  delimiter: string;
  /** Spec columns present in the file, with their position in a row and what they reference. */
  present: { col: ColumnSpec; index: number; ref?: Reference }[];
  /** DB fields, in the order buildRow fills them (after shop). */
  fields: string[];
  headerWidth: number;
  /** Data rows (not counting the header). */
  rows: number;
  bytes: number;
  ctx: ParseContext;
  /** Open-category columns: values mapped to the seed's spelling and values kept as given (pass 1). */
  categories: Map<string, CategoryTally>;
}

interface CategoryTally {
  kept: Map<string, number>;
  /** Rows whose kept value was not tracked any more (a free-text column would otherwise fill memory). */
  keptOverflow: number;
  keptRows: number;
  mapped: Map<string, { to: string; rows: number }>;
}

const MAX_TRACKED_CATEGORY_VALUES = 10_000;

export interface KnownIds {
  products: IdHashSet;
  customers: IdHashSet;
  orders: IdHashSet;
}

export type ProgressFn = (file: string, bytesRead: number, totalBytes: number, rows: number) => void;

/** Header names as written by people and spreadsheets: " Product ID" -> "product_id". */
export function normaliseHeader(name: string): string {
  return name.replace(/^\uFEFF/, "").trim().replace(/^"|"$/g, "").trim().toLowerCase().replace(/[\s-]+/g, "_");
}

/**
 * Validates one file. Returns its plan (also when it has problems: they are in `problems`), or
 * undefined when the file cannot be read as a table at all (empty, no usable header).
 */
export async function validateCsvFile(
  spec: FileSpec,
  file: string,
  known: KnownIds,
  problems: ProblemList,
  warnings: ImportProblem[],
  progress?: ProgressFn,
): Promise<FilePlan | undefined> {
  const name = spec.file;
  const bytes = fs.statSync(file).size;
  const empty = () => problems.add({ file: name, line: 1, message: `the file is empty; write a header line (${requiredNames(spec).join(",")}) and rows, or leave the file out` });
  if (bytes === 0) {
    empty();
    return undefined;
  }
  const { encoding } = detectEncoding(file);
  if (encoding !== "utf-8") warnings.push({ file: name, line: 1, message: "not valid UTF-8: read as windows-1252 (Latin-1, as Excel exports it)" });

  let plan: FilePlan | undefined;
  let usable = false;
  const ids = new IdHashSet();
  const suspects = new Map<string, number[]>();
  const own = ownSet(spec, known);
  let headerSeen = false;
  let rows = 0;

  for await (const batch of readCsv(file, { encoding })) {
    for (const p of batch.problems) problems.add({ file: name, line: p.line, message: p.message });
    for (const rec of batch.records) {
      if (!headerSeen) {
        headerSeen = true;
        plan = planFromHeader(spec, file, encoding, rec, batch.delimiter, bytes, problems, warnings);
        usable = plan.present.length > 0 && missingRequired(spec, plan).length === 0;
        continue;
      }
      rows++;
      const p = plan!;
      if (!usable) {
        // The header is broken: only collect ids so that other files are not flooded with dangling references.
        const idAt = p.present.find((x) => x.col.name === spec.idColumn)?.index;
        if (idAt !== undefined && rec.fields.length >= p.headerWidth) own?.add(rec.fields[idAt].trim());
        continue;
      }
      checkRow(p, rec, known, own, ids, suspects, problems);
    }
    progress?.(name, batch.bytesRead, batch.totalBytes, rows);
  }
  if (!plan) {
    empty();
    return undefined;
  }
  plan.rows = rows;
  if (rows === 0) problems.add({ file: name, line: 1, message: "the file has a header but no rows; add rows or leave the file out" });
  if (suspects.size) confirmDuplicates(plan, suspects, problems);
  warnings.push(...categoryWarnings(plan));
  return plan;
}

/**
 * One warning per open-category column: what was mapped to the seed's spelling and which values
 * were kept as given, e.g. `customer_segment: 21 distinct values not in the seed's examples
 * (technician, other, ...): kept as segments`.
 */
export function categoryWarnings(plan: FilePlan): ImportProblem[] {
  const out: ImportProblem[] = [];
  for (const { col } of plan.present) {
    const t = plan.categories.get(col.name);
    if (!t) continue;
    const parts: string[] = [];
    if (t.mapped.size) {
      const m = [...t.mapped.entries()].sort((a, b) => b[1].rows - a[1].rows);
      const shown = m.slice(0, 6).map(([from, x]) => `${JSON.stringify(from)} -> ${x.to}`).join(", ");
      const rows = m.reduce((n, [, x]) => n + x.rows, 0);
      parts.push(`${m.length} other spelling(s) read as the seed's values in ${rows} row(s) (${shown}${m.length > 6 ? ", ..." : ""})`);
    }
    if (t.kept.size) {
      const k = [...t.kept.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
      const distinct = `${k.length}${t.keptOverflow ? "+" : ""}`;
      const shown = k.slice(0, 5).map(([v]) => v).join(", ");
      parts.push(
        `${distinct} distinct value(s) not in the seed's examples (${shown}${k.length > 5 ? ", ..." : ""}) in ${t.keptRows} row(s): kept as ${col.noun ?? "given"} (the seed's are ${(col.values ?? []).join(", ")})`,
      );
    }
    out.push({ file: plan.spec.file, line: 1, column: col.name, message: parts.join("; ") });
  }
  return out;
}

function tallyCategory(plan: FilePlan, col: ColumnSpec, raw: string): void {
  const r = parseCategoryValue(raw, col);
  if (r.kind === "known") return;
  let t = plan.categories.get(col.name);
  if (!t) plan.categories.set(col.name, (t = { kept: new Map(), keptOverflow: 0, keptRows: 0, mapped: new Map() }));
  if (r.kind === "mapped") {
    const m = t.mapped.get(raw);
    if (m) m.rows++;
    else if (t.mapped.size < MAX_TRACKED_CATEGORY_VALUES) t.mapped.set(copyString(raw), { to: r.value, rows: 1 });
    return;
  }
  t.keptRows++;
  const n = t.kept.get(raw);
  if (n !== undefined) t.kept.set(raw, n + 1);
  else if (t.kept.size < MAX_TRACKED_CATEGORY_VALUES) t.kept.set(copyString(raw), 1);
  else t.keptOverflow++;
}

function requiredNames(spec: FileSpec): string[] {
  return spec.columns.filter((c) => c.required || c.requiredColumn).map((c) => c.name);
}

function ownSet(spec: FileSpec, known: KnownIds): IdHashSet | undefined {
  if (spec.entity === "products") return known.products;
  if (spec.entity === "customers") return known.customers;
  if (spec.entity === "orders") return known.orders;
  return undefined;
}

function missingRequired(spec: FileSpec, plan: FilePlan): ColumnSpec[] {
  const have = new Set(plan.present.map((p) => p.col.name));
  return spec.columns.filter((c) => (c.required || c.requiredColumn) && !have.has(c.name));
}

function planFromHeader(
  spec: FileSpec,
  file: string,
  encoding: Encoding,
  rec: CsvRecord,
  delimiter: string,
  bytes: number,
  problems: ProblemList,
  warnings: ImportProblem[],
): FilePlan {
  const name = spec.file;
  const names = rec.fields.map(normaliseHeader);
  const byName = new Map(spec.columns.map((c) => [c.name, c]));
  const present: FilePlan["present"] = [];
  const seen = new Map<string, number>();
  names.forEach((n, index) => {
    const col = byName.get(n);
    if (!col) {
      if (n !== "") warnings.push({ file: name, line: rec.line, column: n, message: "not a column of the import format: ignored" });
      return;
    }
    if (seen.has(n)) {
      problems.add({ file: name, line: rec.line, column: n, message: `the column appears twice (positions ${seen.get(n)! + 1} and ${index + 1}); keep one` });
      return;
    }
    seen.set(n, index);
    present.push({ col, index, ref: spec.references.find((r) => r.column === col.name) });
  });
  const plan: FilePlan = {
    spec,
    path: file,
    encoding,
    delimiter,
    present,
    fields: present.map((p) => p.col.field),
    headerWidth: rec.fields.length,
    rows: 0,
    bytes,
    ctx: { decimalComma: delimiter === ";" },
    categories: new Map(),
  };
  for (const col of missingRequired(spec, plan)) {
    problems.add({ file: name, line: rec.line, column: col.name, message: `required column is missing; add it${headerHint(rec.fields)}` });
  }
  return plan;
}

function headerHint(fields: string[]): string {
  const shown = fields.slice(0, 8).map((f) => JSON.stringify(f)).join(", ");
  if (fields.length === 1) {
    const odd = fields[0].match(/[|:#\s]/)?.[0];
    return ` (the header has one column ${shown}: separate columns with , or ; or tab${odd ? `, not ${JSON.stringify(odd)}` : ""})`;
  }
  return ` (the header has ${shown}${fields.length > 8 ? ", ..." : ""})`;
}

/** Checks one data row; adds its id to the sets. */
function checkRow(
  plan: FilePlan,
  rec: CsvRecord,
  known: KnownIds,
  own: IdHashSet | undefined,
  ids: IdHashSet,
  suspects: Map<string, number[]>,
  problems: ProblemList,
): void {
  const spec = plan.spec;
  const name = spec.file;
  if (rec.fields.length !== plan.headerWidth && !onlyBlankExtras(rec.fields, plan.headerWidth)) {
    problems.add({
      file: name,
      line: rec.line,
      message: `the row has ${rec.fields.length} values but the header has ${plan.headerWidth} columns; quote values that contain ${JSON.stringify(plan.delimiter)}, check the delimiter, or complete the truncated line`,
    });
    return;
  }
  for (const { col, index, ref } of plan.present) {
    const raw = rec.fields[index].trim();
    if (raw === "") {
      if (col.required) problems.add({ file: name, line: rec.line, column: col.name, message: `empty, but ${col.name} is required; fill it in or remove the row` });
      continue;
    }
    if (col.type === "category") {
      tallyCategory(plan, col, raw);
      continue;
    }
    const v = parseValue(col, raw, plan.ctx);
    if (v instanceof ValueError) {
      problems.add({ file: name, line: rec.line, column: col.name, message: v.message });
      continue;
    }
    if (col.name === spec.idColumn) {
      if (ids.add(raw) && suspects.size < 10_000) suspects.set(copyString(raw), []);
      own?.add(raw);
      continue;
    }
    if (ref && !known[ref.target].has(raw)) {
      const singular = ref.target.slice(0, -1).replace("_", " ");
      problems.add({
        file: name,
        line: rec.line,
        column: col.name,
        message: `${JSON.stringify(raw)} is not a known ${singular} (neither in ${ref.target}.csv nor already imported for this shop); add the ${singular} or fix the id`,
      });
    }
  }
}

/** Excel pads rows with empty cells (`;;;`) past the last column: harmless, the values are all there. */
function onlyBlankExtras(fields: string[], width: number): boolean {
  if (fields.length < width) return false;
  for (let i = width; i < fields.length; i++) if (fields[i].trim() !== "") return false;
  return true;
}

/** A fresh copy of a string, so that a kept id does not pin the chunk it was sliced from. */
function copyString(s: string): string {
  return Buffer.from(s, "utf8").toString("utf8");
}

/** Second look at a file with suspected duplicate ids: finds their lines and reports the repeats. */
function confirmDuplicates(plan: FilePlan, suspects: Map<string, number[]>, problems: ProblemList): void {
  const idAt = plan.present.find((p) => p.col.name === plan.spec.idColumn)!.index;
  let header = true;
  readCsvSync(plan.path, (batch) => {
    for (const rec of batch.records) {
      if (header) {
        header = false;
        continue;
      }
      if (rec.fields.length < plan.headerWidth) continue;
      const lines = suspects.get(rec.fields[idAt].trim());
      lines?.push(rec.line);
    }
  }, { encoding: plan.encoding, delimiter: plan.delimiter });
  for (const [id, lines] of suspects) {
    for (const line of lines.slice(1)) {
      problems.add({
        file: plan.spec.file,
        line,
        column: plan.spec.idColumn,
        message: `${JSON.stringify(id)} appears again (first on line ${lines[0]}); ids must be unique: remove or merge the repeated row`,
      });
    }
  }
}

/**
 * Pass 2 helper: the DB row [shop, ...values] of a data record of a validated file.
 * Values were checked in pass 1, so a ValueError here means the file changed in between.
 */
export function buildRow(plan: FilePlan, shop: string, rec: CsvRecord): unknown[] {
  const row: unknown[] = new Array(plan.present.length + 1);
  row[0] = shop;
  for (let k = 0; k < plan.present.length; k++) {
    const { col, index } = plan.present[k];
    const raw = rec.fields[index].trim();
    let v: unknown = null;
    if (raw !== "") {
      v = parseValue(col, raw, plan.ctx);
      if (v instanceof ValueError) throw new Error(`${plan.spec.file}:${rec.line}: ${col.name}: ${v.message} (the file changed during the import; run it again)`);
      if (typeof v === "boolean") v = v ? 1 : 0;
      else if (col.path) v = resolveImagePaths(v as string, col.path, path.dirname(plan.path));
    } else if (col.requiredColumn) {
      v = "";
    }
    row[k + 1] = v;
  }
  return row;
}

/** Pass 2: streams a validated file again and hands each row to write (synchronously). */
export function forEachRow(plan: FilePlan, shop: string, write: (row: unknown[]) => void, progress?: (rows: number) => void): number {
  let header = true;
  let n = 0;
  readCsvSync(plan.path, (batch) => {
    for (const rec of batch.records) {
      if (header) {
        header = false;
        continue;
      }
      write(buildRow(plan, shop, rec));
      n++;
    }
    progress?.(n);
  }, { encoding: plan.encoding, delimiter: plan.delimiter });
  return n;
}

/** Relative image paths become absolute (against the import folder); URLs stay as they are. */
export function resolveImagePaths(value: string, kind: "one" | "list", dir: string): string {
  const one = (v: string) => (/^[a-z][a-z0-9+.-]*:/i.test(v) || path.isAbsolute(v) ? v : path.resolve(dir, v));
  return kind === "one" ? one(value) : value.split(",").map((v) => v.trim()).filter(Boolean).map(one).join(",");
}

export function fileIn(dir: string, name: string): string | undefined {
  const p = path.join(dir, name);
  return fs.existsSync(p) && fs.statSync(p).isFile() ? p : undefined;
}
