/**
 * `facet import <dir>` and the import job: validates every file of a folder in the import format
 * (pass 1, streaming, nothing written), then, only when no problem was found, writes everything
 * in one SQLite transaction (pass 2, streaming again). Re-importing the same files changes nothing.
 */
import fs from "node:fs";
import path from "node:path";
import { ensureShop, runAllOrNothing } from "../models/bulk.server";
import { customerIds, customerWriter } from "../models/customer.server";
import { embeddingModels, saveEmbeddings } from "../models/embedding.server";
import { interactionWriter } from "../models/interaction.server";
import { orderIds, orderItemWriter, orderWriter } from "../models/order.server";
import { productIds, productWriter } from "../models/product.server";
import { recordImportDir } from "../models/productImage.server";
import { EMBEDDING_FILES, openEmbeddings, vectorProblem, type EmbeddingSource } from "./embeddingsFormats";
import { IdHashSet } from "./idSet";
import { formatProblem, ProblemList, type ImportProblem } from "./problems";
import { FILE_SPECS, type EntityName } from "./schemas";
import { fileIn, forEachRow, validateCsvFile, type FilePlan, type KnownIds } from "./validate";

export interface ImportProgress {
  phase: "validate" | "write";
  file: string;
  done: number;
  total: number;
  unit: "bytes" | "rows";
}

export interface ImportOptions {
  shop: string;
  dir: string;
  /** Validate only: report problems, write nothing. */
  dryRun?: boolean;
  onProgress?: (p: ImportProgress) => void;
  /** How many problems to print (the rest are counted). */
  maxProblems?: number;
}

export interface ImportResult {
  ok: boolean;
  shop: string;
  dir: string;
  written: boolean;
  files: { file: string; rows: number; encoding?: string; delimiter?: string }[];
  embeddings?: { file: string; modelId: string; dim: number; count: number };
  problemCount: number;
  /** `file:line: column: message`, sorted, capped at maxProblems, then a count of the rest. */
  problems: string[];
  warnings: string[];
  seconds: number;
}

/** The folder itself is unusable (missing, not a folder): an operator error, not a data problem. */
export class ImportInputError extends Error {}

const EMBEDDING_BATCH = 512;

export async function importFolder(opts: ImportOptions): Promise<ImportResult> {
  const started = performance.now();
  const dir = path.resolve(opts.dir);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new ImportInputError(`${opts.dir} is not a folder; give the folder that holds products.csv, customers.csv, ...`);
  const present = FILE_SPECS.map((spec) => ({ spec, file: fileIn(dir, spec.file) })).filter((x) => x.file !== undefined) as { spec: (typeof FILE_SPECS)[number]; file: string }[];
  const hasEmbeddings = EMBEDDING_FILES.some((n) => fileIn(dir, n));
  if (present.length === 0 && !hasEmbeddings) {
    throw new ImportInputError(`${opts.dir} holds none of ${FILE_SPECS.map((s) => s.file).join(", ")} or product_embeddings.npy/.csv/.h5; put the exported files there`);
  }

  const problems = new ProblemList();
  const warnings: ImportProblem[] = [];
  const known = loadKnownIds(opts.shop);
  const plans: FilePlan[] = [];
  for (const { spec, file } of present) {
    const plan = await validateCsvFile(spec, file, known, problems, warnings, (name, done, total) =>
      opts.onProgress?.({ phase: "validate", file: name, done, total, unit: "bytes" }),
    );
    if (plan) plans.push(plan);
  }
  const source = hasEmbeddings ? await validateEmbeddings(opts.shop, dir, known, problems) : undefined;

  const fileOrder = [...FILE_SPECS.map((s) => s.file), ...EMBEDDING_FILES, "product_ids.txt"];
  const result: ImportResult = {
    ok: problems.total === 0,
    shop: opts.shop,
    dir,
    written: false,
    files: plans.map((p) => ({ file: p.spec.file, rows: p.rows, encoding: p.encoding, delimiter: p.delimiter })),
    embeddings: source && { file: source.file, modelId: source.modelId, dim: source.dim, count: source.count },
    problemCount: problems.total,
    problems: problems.format(fileOrder, opts.maxProblems ?? 200),
    warnings: warnings.map(formatProblem),
    seconds: 0,
  };
  try {
    if (result.ok && !opts.dryRun) {
      runAllOrNothing(() => {
        ensureShop(opts.shop);
        recordImportDir(opts.shop, dir);
        for (const plan of plans) writeFile(opts.shop, plan, opts.onProgress);
        if (source) writeEmbeddings(opts.shop, source, opts.onProgress);
      });
      result.written = true;
    }
  } finally {
    source?.close();
  }
  result.seconds = (performance.now() - started) / 1000;
  return result;
}

function loadKnownIds(shop: string): KnownIds {
  const fill = (ids: Iterable<string>) => {
    const set = new IdHashSet();
    for (const id of ids) set.add(id);
    return set;
  };
  return { products: fill(productIds(shop)), customers: fill(customerIds(shop)), orders: fill(orderIds(shop)) };
}

const WRITERS: Record<EntityName, (fields: string[]) => (row: unknown[]) => void> = {
  products: productWriter,
  customers: customerWriter,
  orders: orderWriter,
  order_items: orderItemWriter,
  interactions: interactionWriter,
};

function writeFile(shop: string, plan: FilePlan, onProgress?: ImportOptions["onProgress"]): void {
  const write = WRITERS[plan.spec.entity](plan.fields);
  forEachRow(plan, shop, write, (rows) => onProgress?.({ phase: "write", file: plan.spec.file, done: rows, total: plan.rows, unit: "rows" }));
}

/** Pass 1 for the embeddings: every product known, one dimension, finite non-zero values, no repeats. */
async function validateEmbeddings(shop: string, dir: string, known: KnownIds, problems: ProblemList): Promise<EmbeddingSource | undefined> {
  const source = await openEmbeddings(dir, (p) => problems.add(p));
  if (!source) return undefined;
  const existing = embeddingModels(shop).find((m) => m.modelId === source.modelId);
  if (existing && existing.dim !== source.dim) {
    problems.add({ file: source.file, line: 1, message: `model ${JSON.stringify(source.modelId)} already has ${existing.dim}-dimensional vectors for this shop, these have ${source.dim}; name a different embedding_model` });
  }
  const seen = new Map<string, number>();
  source.read(EMBEDDING_BATCH, (rows) => {
    const idFile = source.idFile;
    for (const r of rows) {
      const at = { file: idFile ?? r.file, line: r.line, column: "product_id" };
      if (r.productId === "") {
        problems.add({ ...at, message: "empty; give the product_id of this vector" });
        continue;
      }
      if (!known.products.has(r.productId)) {
        problems.add({ ...at, message: `${JSON.stringify(r.productId)} is not a known product (neither in products.csv nor already imported for this shop); import the product or drop the vector` });
      }
      const first = seen.get(r.productId);
      if (first !== undefined) problems.add({ ...at, message: `${JSON.stringify(r.productId)} appears again (first on row ${first}); give one vector per product` });
      else seen.set(r.productId, r.line);
      const bad = vectorProblem(r.vector, source.dim);
      if (bad) problems.add({ file: r.file, line: r.line, column: "embedding", message: bad });
    }
  }, (p) => problems.add(p));
  return source;
}

function writeEmbeddings(shop: string, source: EmbeddingSource, onProgress?: ImportOptions["onProgress"]): void {
  let done = 0;
  source.read(EMBEDDING_BATCH, (rows) => {
    saveEmbeddings(shop, source.modelId, rows.map((r) => ({ productId: r.productId, vector: r.vector })));
    done += rows.length;
    onProgress?.({ phase: "write", file: source.file, done, total: source.count, unit: "rows" });
  }, (p) => {
    throw new Error(`${formatProblem(p)} (the file changed during the import; run it again)`);
  });
}
