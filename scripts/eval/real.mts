/**
 * `npm run eval:real`: Facet against plain reference recommenders on real data, one temporal split
 * per dataset, the same ground truth and the same exclusions for every method.
 *
 *   npm run eval:real -- [--dataset uci|hm|rees46|demo|all] [--quick] [--no-facet] [--no-write]
 *                        [--k 10] [--boot 1000] [--seed 42] [--facet-train "<extra train flags>"]
 *
 * Split (per dataset): train = every purchase strictly before the cut; test = for each customer who
 * bought in train, the products they bought at or after the cut and had not bought before. Every
 * list excludes the customer's train purchases. Metrics at K: NDCG (binary gains), recall
 * (hits / relevant), hit rate; 95 % bootstrap intervals over test customers, and the same
 * resampling for "Facet minus the best baseline".
 *
 * Facet runs through the product: `facet import` of the train part into a fresh SQLite database in
 * a temp folder (FACET_DATA_DIR there too), `facet train`, `facet batch --placement home --k K`.
 * Baselines (scripts/eval/baselines.mts, never app/): popularity all time, popularity of the last
 * 30 days before the cut, implicit ALS, EASE.
 *
 * --quick: a seeded sample of at most 600 test customers, fewer ALS iterations; baseline results are
 * cached per dataset and parameters under $TMPDIR/facet-eval-cache, so repeated runs only pay for
 * Facet. Writes the table into docs/EVALUATION.md between the "eval:real" markers (not with
 * --quick or --no-write) and prints it.
 */
import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { parseCsvText } from "../../app/import/csv";
import { mulberry32 } from "../../app/recommend/random";
import { alsScorer, easeScorer, popularityScorer, type Scorer, type TrainMatrix } from "./baselines.mts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
// ../shared next to the checkout; FACET_SHARED_DIR points elsewhere (a worktree one level deeper).
const SHARED = path.join(process.env.FACET_SHARED_DIR ? path.resolve(process.env.FACET_SHARED_DIR) : path.resolve(ROOT, "../shared"), "data");
const DAY = 86_400_000;

const { values: args } = parseArgs({
  options: {
    dataset: { type: "string", default: "uci" },
    quick: { type: "boolean", default: false },
    "no-facet": { type: "boolean", default: false },
    "no-write": { type: "boolean", default: false },
    k: { type: "string", default: "10" },
    boot: { type: "string", default: "1000" },
    seed: { type: "string", default: "42" },
    "facet-train": { type: "string", default: "" },
    "keep-temp": { type: "boolean", default: false },
    "no-sources": { type: "boolean", default: false },
  },
});
const K = Number(args.k);
const BOOT = Number(args.boot);
const SEED = Number(args.seed);
const QUICK = Boolean(args.quick);

const log = (m: string) => process.stderr.write(`eval:real: ${m}\n`);

// ---------------------------------------------------------------------------------------------
// Reading a folder in the import format into purchase events.

interface Purchase {
  customer: string;
  product: string;
  at: number;
  quantity: number;
}

function readCsvObjects(file: string): Record<string, string>[] {
  if (!fs.existsSync(file)) return [];
  const { records } = parseCsvText(fs.readFileSync(file, "utf8"));
  if (!records.length) return [];
  const header = records[0].fields.map((h) => h.trim().toLowerCase());
  return records.slice(1).map((r) => Object.fromEntries(header.map((h, i) => [h, r.fields[i] ?? ""])));
}

function readPurchases(dir: string): { purchases: Purchase[]; products: string[] } {
  const products = readCsvObjects(path.join(dir, "products.csv")).map((r) => r.product_id);
  const orders = new Map<string, { customer: string; at: number; ok: boolean }>();
  for (const o of readCsvObjects(path.join(dir, "orders.csv"))) {
    const status = (o.order_status ?? "").toLowerCase();
    orders.set(o.order_id, { customer: o.customer_id, at: parseTime(o.order_date), ok: status !== "cancelled" && status !== "returned" });
  }
  const purchases: Purchase[] = [];
  for (const it of readCsvObjects(path.join(dir, "order_items.csv"))) {
    const o = orders.get(it.order_id);
    if (!o || !o.ok || !o.customer || !Number.isFinite(o.at)) continue;
    purchases.push({ customer: o.customer, product: it.product_id, at: o.at, quantity: Math.max(1, Number(it.quantity) || 1) });
  }
  for (const i of readCsvObjects(path.join(dir, "interactions.csv"))) {
    if ((i.interaction_type ?? "").toLowerCase() !== "purchase" || !i.customer_id) continue;
    // Mappers that write both an order line and a purchase interaction for one sale (H&M) name
    // them alike; keep only one.
    if (orders.size && i.interaction_id && /-\d+$/.test(i.interaction_id) && orders.has(i.interaction_id.replace(/-\d+$/, ""))) continue;
    const at = Date.parse(i.timestamp);
    if (Number.isFinite(at)) purchases.push({ customer: i.customer_id, product: i.product_id, at, quantity: 1 });
  }
  return { purchases, products };
}

/** Copies the folder keeping only rows before the cut (orders, their items, interactions) and the customers seen there. */
function writeTrainFolder(src: string, dst: string, cut: number): void {
  fs.mkdirSync(dst, { recursive: true });
  const lines = (f: string) => (fs.existsSync(path.join(src, f)) ? fs.readFileSync(path.join(src, f), "utf8") : "");
  const filter = (file: string, keep: (row: Record<string, string>) => boolean): void => {
    const text = lines(file);
    if (!text) return;
    const { records } = parseCsvText(text);
    const header = records[0].fields.map((h) => h.trim().toLowerCase());
    const out = [records[0].fields.map(cell).join(",")];
    for (const r of records.slice(1)) {
      const row = Object.fromEntries(header.map((h, i) => [h, r.fields[i] ?? ""]));
      if (keep(row)) out.push(r.fields.map(cell).join(","));
    }
    fs.writeFileSync(path.join(dst, file), out.join("\n") + "\n");
  };
  const before = (d: string) => parseTime(d) < cut;
  const keptOrders = new Set<string>();
  const seen = new Set<string>();
  filter("orders.csv", (o) => {
    const ok = before(o.order_date);
    if (ok) {
      keptOrders.add(o.order_id);
      seen.add(o.customer_id);
    }
    return ok;
  });
  filter("order_items.csv", (i) => keptOrders.has(i.order_id));
  filter("interactions.csv", (i) => {
    const ok = before(i.timestamp);
    if (ok && i.customer_id) seen.add(i.customer_id);
    return ok;
  });
  filter("customers.csv", (c) => seen.has(c.customer_id));
  filter("products.csv", () => true);
  const images = path.join(src, "images");
  if (fs.existsSync(images) && !fs.existsSync(path.join(dst, "images"))) fs.symlinkSync(images, path.join(dst, "images"));
}

function parseTime(d: string): number {
  if (!d) return NaN;
  if (/^\d{4}-\d{2}-\d{2}$/.test(d)) return Date.parse(d + "T00:00:00Z");
  const iso = d.replace(" ", "T");
  return Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(iso) ? iso : iso + "Z");
}

function cell(v: string): string {
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

// ---------------------------------------------------------------------------------------------
// Datasets: where the import-format folder comes from and where the cut is.

interface Dataset {
  name: string;
  title: string;
  /** Builds the import-format folder (all of the history). */
  prepare(dir: string): Promise<void> | void;
  /** The cut, or a share of purchases to hold out (the cut is then the quantile). */
  cut?: number;
  testShare?: number;
  source: string;
}

function facetCli(argv: string[], env: NodeJS.ProcessEnv, what: string): string {
  const r = spawnSync(process.execPath, [path.join(ROOT, "bin/facet.mjs"), ...argv], { env, cwd: ROOT, encoding: "utf8", maxBuffer: 256 << 20 });
  if (r.status !== 0) throw new Error(`facet ${argv.join(" ")} (${what}) failed with ${r.status}:\n${(r.stderr || "").slice(-4000)}\n${(r.stdout || "").slice(-2000)}`);
  return r.stdout;
}

/** A sample in ../shared/data mapped by one of the product's converters; the last 20 % of purchases are the test. */
function sample(name: string, title: string, folder: string, convert: (src: string, dir: string) => Promise<unknown>): Dataset {
  return { name, title, source: `../shared/data/${folder}`, testShare: 0.2, prepare: (dir) => convert(path.join(SHARED, folder), dir).then(() => undefined) };
}

const DATASETS: Record<string, Dataset> = {
  uci: {
    name: "uci",
    title: "UCI Online Retail",
    source: "../shared/data/uci-online-retail/online_retail.csv.gz",
    cut: Date.parse("2011-11-09T00:00:00Z"),
    async prepare(dir) {
      const { convertUci } = await import("../../app/import/mappers/uci");
      convertUci(path.join(SHARED, "uci-online-retail/online_retail.csv.gz"), dir);
    },
  },
  hm: sample("hm", "H&M sample", "hm-sample", async (src, dir) => (await import("../../app/import/mappers/hm")).convertHm(src, dir)),
  rees46: sample("rees46", "REES46 jewelry sample", "rees46-jewelry-sample", async (src, dir) => (await import("../../app/import/mappers/rees46")).convertRees46(src, dir)),
  demo: {
    name: "demo",
    title: "Demo world (facet generate-demo, seed 42, 2,000 products, 5,000 customers)",
    source: "facet generate-demo --out <tmp> --seed 42 --no-images",
    testShare: 0.2,
    prepare(dir) {
      facetCli(["generate-demo", "--out", dir, "--seed", "42", "--no-images"], process.env, "generate-demo");
    },
  },
};

// ---------------------------------------------------------------------------------------------
// Split, metrics, bootstrap.

interface Split {
  cut: number;
  itemIds: string[];
  itemIndex: Map<string, number>;
  userIds: string[];
  train: TrainMatrix;
  /** Test customers (row index in train) and their relevant item indices. */
  test: { user: number; relevant: Set<number> }[];
  trainPurchases: number;
  testPurchases: number;
  knownCustomersBuyingAfterCut: number;
}

function makeSplit(purchases: Purchase[], products: string[], ds: Dataset): Split {
  let cut = ds.cut;
  if (cut === undefined) {
    const times = purchases.map((p) => p.at).sort((a, b) => a - b);
    cut = times[Math.floor(times.length * (1 - (ds.testShare ?? 0.2)))];
  }
  const itemIds = [...new Set(products)];
  const itemIndex = new Map(itemIds.map((id, i) => [id, i]));
  const train = purchases.filter((p) => p.at < cut && itemIndex.has(p.product));
  const userIds = [...new Set(train.map((p) => p.customer))].sort();
  const userIndex = new Map(userIds.map((id, i) => [id, i]));
  const cells = new Map<number, { count: number; last: number }>();
  const nItems = itemIds.length;
  for (const p of train) {
    const key = userIndex.get(p.customer)! * nItems + itemIndex.get(p.product)!;
    const c = cells.get(key);
    if (c) {
      c.count += 1;
      c.last = Math.max(c.last, p.at);
    } else cells.set(key, { count: 1, last: p.at });
  }
  const keys = [...cells.keys()].sort((a, b) => a - b);
  const rowPtr = new Int32Array(userIds.length + 1);
  const colIdx = new Int32Array(keys.length);
  const counts = new Float64Array(keys.length);
  const lastAt = new Float64Array(keys.length);
  keys.forEach((key, p) => {
    const u = Math.floor(key / nItems);
    rowPtr[u + 1]++;
    colIdx[p] = key % nItems;
    counts[p] = cells.get(key)!.count;
    lastAt[p] = cells.get(key)!.last;
  });
  for (let u = 0; u < userIds.length; u++) rowPtr[u + 1] += rowPtr[u];
  const m: TrainMatrix = { users: userIds.length, items: nItems, rowPtr, colIdx, counts, lastAt };
  const testSets = new Map<number, Set<number>>();
  let testPurchases = 0;
  const buyersAfter = new Set<string>();
  for (const p of purchases) {
    if (p.at < cut) continue;
    testPurchases++;
    const u = userIndex.get(p.customer);
    const i = itemIndex.get(p.product);
    if (u === undefined || i === undefined) continue;
    buyersAfter.add(p.customer);
    if (cells.has(u * nItems + i)) continue; // bought before: not a target
    let s = testSets.get(u);
    if (!s) testSets.set(u, (s = new Set()));
    s.add(i);
  }
  const test = [...testSets.entries()].sort((a, b) => a[0] - b[0]).map(([user, relevant]) => ({ user, relevant }));
  return { cut, itemIds, itemIndex, userIds, train: m, test, trainPurchases: train.length, testPurchases, knownCustomersBuyingAfterCut: buyersAfter.size };
}

interface PerUser {
  ndcg: Float64Array;
  recall: Float64Array;
  hit: Float64Array;
}

function scoreLists(split: Split, lists: (number[] | undefined)[]): PerUser {
  const n = split.test.length;
  const r: PerUser = { ndcg: new Float64Array(n), recall: new Float64Array(n), hit: new Float64Array(n) };
  split.test.forEach((t, j) => {
    const list = lists[j] ?? [];
    let dcg = 0;
    let hits = 0;
    list.slice(0, K).forEach((item, rank) => {
      if (t.relevant.has(item)) {
        dcg += 1 / Math.log2(rank + 2);
        hits++;
      }
    });
    let idcg = 0;
    for (let rank = 0; rank < Math.min(K, t.relevant.size); rank++) idcg += 1 / Math.log2(rank + 2);
    r.ndcg[j] = dcg / idcg;
    r.recall[j] = hits / t.relevant.size;
    r.hit[j] = hits > 0 ? 1 : 0;
  });
  return r;
}

/** Top K item indices of a scorer for each test user, the user's train items excluded. */
function topK(split: Split, scorer: Scorer): number[][] {
  const m = split.train;
  const scores = new Float64Array(m.items);
  return split.test.map(({ user }) => {
    scorer(user, scores);
    for (let p = m.rowPtr[user]; p < m.rowPtr[user + 1]; p++) scores[m.colIdx[p]] = -Infinity;
    const best: number[] = [];
    for (let i = 0; i < m.items; i++) {
      const s = scores[i];
      if (s === -Infinity || Number.isNaN(s)) continue;
      if (best.length < K) {
        best.push(i);
        best.sort((a, b) => scores[b] - scores[a] || a - b);
      } else if (s > scores[best[K - 1]]) {
        best[K - 1] = i;
        best.sort((a, b) => scores[b] - scores[a] || a - b);
      }
    }
    return best;
  });
}

function mean(a: Float64Array): number {
  let s = 0;
  for (const x of a) s += x;
  return a.length ? s / a.length : NaN;
}

/** Percentile bootstrap (resampling test customers) of the mean of a, or of a - b. */
function bootstrap(a: Float64Array, b?: Float64Array): [number, number] {
  const n = a.length;
  if (!n) return [NaN, NaN];
  const rand = mulberry32(SEED + 7);
  const means = new Float64Array(BOOT);
  for (let r = 0; r < BOOT; r++) {
    let s = 0;
    for (let j = 0; j < n; j++) {
      const i = Math.floor(rand() * n);
      s += b ? a[i] - b[i] : a[i];
    }
    means[r] = s / n;
  }
  means.sort();
  return [means[Math.floor(BOOT * 0.025)], means[Math.min(BOOT - 1, Math.floor(BOOT * 0.975))]];
}

// ---------------------------------------------------------------------------------------------
// Facet through the product.

function runFacet(split: Split, fullDir: string, tmp: string): { lists: (number[] | undefined)[]; notes: string[]; seconds: number } {
  const t0 = Date.now();
  const trainDir = path.join(tmp, "train");
  writeTrainFolder(fullDir, trainDir, split.cut);
  const shop = "eval-real.myshopify.com";
  const env = { ...process.env, DATABASE_URL: `file:${path.join(tmp, "facet.db")}`, FACET_DATA_DIR: path.join(tmp, "data"), FACET_SHOP: shop, FACET_QUEUE_PREFIX: "eval-real" };
  delete env.REDIS_URL;
  log("facet import (train part)");
  facetCli(["import", trainDir, "--shop", shop], env, "import");
  log("facet train");
  const extra = String(args["facet-train"] || "").split(/\s+/).filter(Boolean);
  const trained = facetCli(["train", "--shop", shop, ...extra], env, "train");
  // What train-time tuning chose (collaborative model, EASE share, blend weights, guards): logged and noted.
  const tunedLines = trained.split("\n").map((l) => l.trim()).filter((l) => /^(tuning|chosen|EASE|blend|phases):/.test(l));
  for (const l of tunedLines) log(`train: ${l}`);
  log("facet batch --placement home");
  const out = path.join(tmp, "batch.csv");
  facetCli(["batch", "--shop", shop, "--placement", "home", "--k", String(K), "--out", out], env, "batch");
  const byCustomer = new Map<string, number[]>();
  let unknown = 0;
  for (const r of readCsvObjects(out)) {
    const i = split.itemIndex.get(r.product_id);
    if (i === undefined) {
      unknown++;
      continue;
    }
    let l = byCustomer.get(r.customer_id);
    if (!l) byCustomer.set(r.customer_id, (l = []));
    l.push(i);
  }
  // Same exclusion as the baselines: the customer's train purchases never count.
  const m = split.train;
  let removed = 0;
  let missing = 0;
  const lists = split.test.map(({ user }) => {
    const l = byCustomer.get(split.userIds[user]);
    if (!l) {
      missing++;
      return undefined;
    }
    const bought = new Set<number>();
    for (let p = m.rowPtr[user]; p < m.rowPtr[user + 1]; p++) bought.add(m.colIdx[p]);
    const kept = l.filter((i) => !bought.has(i));
    removed += l.length - kept.length;
    return kept;
  });
  const notes: string[] = tunedLines.filter((l) => !l.startsWith("phases:")).map((l) => `facet train: ${l}`);
  if (removed) notes.push(`Facet's lists held ${removed} already-bought products (removed, lists shorter)`);
  if (missing) notes.push(`${missing} test customers got no Facet list (scored 0)`);
  if (unknown) notes.push(`${unknown} Facet rows named unknown products`);
  return { lists, notes, seconds: (Date.now() - t0) / 1000 };
}

/**
 * Facet's single sources as the product scores them: the whole history imported into a second
 * temp database, then `facet evaluate --cut <cut> --placements home` (its own split at the same
 * cut; its training never sees the test period). Its test set is its own (all customers with new
 * purchases after the cut, at most --max-users), so compare these rows with each other.
 */
function runFacetSources(cut: number, fullDir: string, tmp: string): string[] {
  const shop = "eval-sources.myshopify.com";
  const env = { ...process.env, DATABASE_URL: `file:${path.join(tmp, "sources.db")}`, FACET_DATA_DIR: path.join(tmp, "sources-data"), FACET_SHOP: shop, FACET_QUEUE_PREFIX: "eval-real" };
  delete env.REDIS_URL;
  log("facet import (everything) + facet evaluate --cut (single sources)");
  facetCli(["import", fullDir, "--shop", shop], env, "import for evaluate");
  const out = facetCli(["evaluate", "--shop", shop, "--k", String(K), "--cut", new Date(cut).toISOString().slice(0, 10), "--placements", "home", "--max-users", QUICK ? "600" : "100000", "--seed", String(SEED), "--no-save", "--json"], env, "evaluate");
  const json = JSON.parse(out.slice(out.search(/^[{[]/m)));
  const results = json.results as { name: string; ndcg: number; recall: number; hit_rate: number; users: number; ci?: { ndcg?: [number, number] } | Record<string, unknown> }[];
  const lines = [
    `Facet's own \`facet evaluate --cut ${new Date(cut).toISOString().slice(0, 10)} --placements home\` on the whole history (its split and test set: ${results[0]?.users ?? 0} customers; single sources as the product scores them):`,
    "",
    `| source | NDCG@${K} | recall@${K} | hit rate |`,
    "|---|---|---|---|",
    ...results.map((r) => `| ${r.name} | ${r.ndcg.toFixed(4)} | ${r.recall.toFixed(4)} | ${r.hit_rate.toFixed(4)} |`),
    "",
  ];
  const h = json.headline as { best_blend?: string; best_blend_ndcg?: number; best_single?: string; best_single_ndcg?: number; margins?: Record<string, { diff: number; lo: number; hi: number; significant: boolean }> } | undefined;
  if (h?.best_blend) {
    const m = Object.entries(h.margins ?? {}).map(([name, x]) => `${name} ${x.diff >= 0 ? "+" : ""}${x.diff.toFixed(4)} [${x.lo.toFixed(4)}, ${x.hi.toFixed(4)}]${x.lo > 0 ? "" : x.hi < 0 ? " (behind beyond noise)" : " (noise)"}`);
    lines.push(`${h.best_blend} ${h.best_blend_ndcg?.toFixed(4)} against the best single source ${h.best_single} ${h.best_single_ndcg?.toFixed(4)}; blend minus each source, 95 % CI: ${m.join("; ")}.`, "");
  }
  return lines;
}

// ---------------------------------------------------------------------------------------------
// The run.

interface Row {
  name: string;
  ndcg: number;
  recall: number;
  hit: number;
  ci: [number, number];
  seconds: number;
  per: PerUser;
}

interface BaselineSpec {
  name: string;
  make: (m: TrainMatrix, cut: number) => Scorer;
}

const ALS = { factors: 32, regularization: 10, alpha: 10, iterations: QUICK ? 8 : 15, confidence: "log" as const, seed: SEED };
const EASE_LAMBDA = 200;
const BASELINES: BaselineSpec[] = [
  { name: "popularity (all time)", make: (m) => popularityScorer(m) },
  { name: "popularity (last 30 days)", make: (m, cut) => popularityScorer(m, cut - 30 * DAY) },
  { name: `ALS reference (${ALS.factors} f, λ ${ALS.regularization}, α ${ALS.alpha}, ${ALS.confidence} conf., ${ALS.iterations} it.)`, make: (m) => alsScorer(m, ALS) },
  { name: `EASE reference (λ ${EASE_LAMBDA})`, make: (m) => easeScorer(m, EASE_LAMBDA) },
];

function sampleTest(split: Split): void {
  if (!QUICK || split.test.length <= 600) return;
  const rand = mulberry32(SEED);
  const idx = split.test.map((_, i) => i);
  for (let i = idx.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  const keep = new Set(idx.slice(0, 600));
  split.test = split.test.filter((_, i) => keep.has(i));
}

async function runDataset(ds: Dataset): Promise<string> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `facet-eval-${ds.name}-`));
  try {
    const full = path.join(tmp, "full");
    log(`${ds.name}: preparing ${ds.source}`);
    await ds.prepare(full);
    const { purchases, products } = readPurchases(full);
    const split = makeSplit(purchases, products, ds);
    sampleTest(split);
    log(`${ds.name}: cut ${new Date(split.cut).toISOString().slice(0, 10)}; train ${split.trainPurchases} purchase lines, ${split.userIds.length} customers, ${products.length} products; test ${split.test.length} customers`);
    if (split.test.length < 30) {
      return `### ${ds.title}\n\nNot measured: only ${split.test.length} customers known before the cut (${new Date(split.cut).toISOString().slice(0, 10)}) bought a product they had not bought before after it (${split.testPurchases} purchases after the cut, ${split.knownCustomersBuyingAfterCut} of them by known customers). Too few to rank anything.\n`;
    }
    const rows: Row[] = [];
    const cacheKey = crypto
      .createHash("sha256")
      .update(fs.readFileSync(path.join(ROOT, "scripts/eval/baselines.mts")))
      .update(JSON.stringify({ ds: ds.name, K, QUICK, SEED, ALS, EASE_LAMBDA, test: split.test.map((t) => [t.user, ...t.relevant]), train: split.trainPurchases, nnz: split.train.colIdx.length, cut: split.cut }))
      .digest("hex")
      .slice(0, 16);
    const cacheFile = path.join(os.tmpdir(), "facet-eval-cache", `${ds.name}-${cacheKey}.json`);
    let cached: Record<string, { lists: number[][]; seconds: number }> = {};
    if (fs.existsSync(cacheFile)) cached = JSON.parse(fs.readFileSync(cacheFile, "utf8"));
    for (const b of BASELINES) {
      let entry = cached[b.name];
      if (!entry) {
        const t0 = Date.now();
        log(`${ds.name}: ${b.name}`);
        const lists = topK(split, b.make(split.train, split.cut));
        entry = cached[b.name] = { lists, seconds: (Date.now() - t0) / 1000 };
      } else log(`${ds.name}: ${b.name} (cached)`);
      const per = scoreLists(split, entry.lists);
      rows.push({ name: b.name, ndcg: mean(per.ndcg), recall: mean(per.recall), hit: mean(per.hit), ci: bootstrap(per.ndcg), seconds: entry.seconds, per });
    }
    fs.mkdirSync(path.dirname(cacheFile), { recursive: true });
    fs.writeFileSync(cacheFile, JSON.stringify(cached));
    const notes: string[] = [];
    let facet: Row | undefined;
    if (!args["no-facet"]) {
      const f = runFacet(split, full, tmp);
      notes.push(...f.notes);
      const per = scoreLists(split, f.lists);
      facet = { name: "Facet batch --placement home (import → train → batch)", ndcg: mean(per.ndcg), recall: mean(per.recall), hit: mean(per.hit), ci: bootstrap(per.ndcg), seconds: f.seconds, per };
      rows.unshift(facet);
    }
    const fmt = (x: number) => x.toFixed(4);
    const lines = [
      `### ${ds.title}`,
      "",
      `Source ${ds.source}; cut ${new Date(split.cut).toISOString().slice(0, 10)}; train ${split.trainPurchases} purchase lines of ${split.userIds.length} customers over ${split.itemIds.length} products; test ${split.test.length} customers${QUICK ? " (--quick sample)" : ""} with ${split.test.reduce((s, t) => s + t.relevant.size, 0)} new products bought at or after the cut. K = ${K}; 95 % bootstrap over test customers (${BOOT} resamples).`,
      "",
      `| method | NDCG@${K} | 95 % CI | recall@${K} | hit rate | seconds |`,
      "|---|---|---|---|---|---|",
      ...rows.map((r) => `| ${r.name} | ${fmt(r.ndcg)} | ${fmt(r.ci[0])}–${fmt(r.ci[1])} | ${fmt(r.recall)} | ${fmt(r.hit)} | ${r.seconds.toFixed(1)} |`),
      "",
    ];
    if (facet) {
      const best = rows.filter((r) => r !== facet).sort((a, b) => b.ndcg - a.ndcg)[0];
      const [lo, hi] = bootstrap(facet.per.ndcg, best.per.ndcg);
      const verdict = lo > 0 ? "Facet is ahead beyond noise" : hi < 0 ? "Facet is behind beyond noise" : "the difference is within noise";
      lines.push(`Facet minus the best baseline (${best.name}): ${fmt(facet.ndcg - best.ndcg)} NDCG@${K}, 95 % CI ${fmt(lo)}–${fmt(hi)}: ${verdict}.`, "");
    }
    for (const n of notes) lines.push(`- ${n}`);
    if (notes.length) lines.push("");
    if (!args["no-facet"] && !args["no-sources"]) {
      try {
        lines.push(...runFacetSources(split.cut, full, tmp));
      } catch (e) {
        lines.push(`Facet's single sources: facet evaluate failed (${(e as Error).message.split("\n")[0]}).`, "");
      }
    }
    return lines.join("\n");
  } finally {
    if (!args["keep-temp"]) fs.rmSync(tmp, { recursive: true, force: true });
    else log(`kept ${tmp}`);
  }
}

const names = args.dataset === "all" ? ["uci", "rees46", "hm", "demo"] : String(args.dataset).split(",");
for (const n of names) if (!DATASETS[n]) throw new Error(`--dataset: unknown ${n}; use uci, rees46, hm, demo or all`);
const sections: string[] = [];
for (const n of names) {
  const ds = DATASETS[n];
  if (n !== "demo" && !fs.existsSync(path.join(SHARED, path.relative("../shared/data", ds.source)))) {
    sections.push(`### ${ds.title}\n\nNot measured: ${ds.source} is absent on this machine.\n`);
    continue;
  }
  sections.push(await runDataset(ds));
}
const command = `npm run eval:real -- ${process.argv.slice(2).join(" ")}`.trim();
const body = [`Command: \`${command}\`, run ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC on ${os.cpus().length} CPU(s).`, "", ...sections].join("\n");
console.log(body);
if (!QUICK && !args["no-write"]) {
  const doc = path.join(ROOT, "docs/EVALUATION.md");
  let text = fs.readFileSync(doc, "utf8");
  for (const n of names) {
    const start = `<!-- eval:real:${n}:start -->`;
    const end = `<!-- eval:real:${n}:end -->`;
    const section = sections[names.indexOf(n)];
    const block = `${start}\n${body.split("\n")[0]}\n\n${section}${end}`;
    if (text.includes(start) && text.includes(end)) text = text.slice(0, text.indexOf(start)) + block + text.slice(text.indexOf(end) + end.length);
    else {
      const anchor = "## Real data side by side (`npm run eval:real`)";
      if (!text.includes(anchor)) {
        const perf = text.indexOf("## Performance");
        const intro = `${anchor}\n\nFacet through the product (import → train → batch) against plain reference recommenders written in scripts/eval/baselines.mts, on a temporal split per dataset. See scripts/eval/real.mts for the protocol; each section below is replaced when its dataset is run again. The references see purchases only (order lines, purchase interactions); Facet also sees views, carts and wishlists where the data has them (the demo world does, UCI does not). \`npm run eval:visual\` measures the visual space on the H&M photos.\n\n`;
        text = perf >= 0 ? text.slice(0, perf) + intro + text.slice(perf) : text + "\n" + intro;
      }
      const at = text.indexOf(anchor) + anchor.length;
      const nextHeading = text.indexOf("\n## ", at);
      const insertAt = nextHeading >= 0 ? nextHeading + 1 : text.length;
      text = text.slice(0, insertAt) + block + "\n\n" + text.slice(insertAt);
    }
  }
  fs.writeFileSync(doc, text);
  log("docs/EVALUATION.md updated");
}
