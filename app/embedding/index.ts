/**
 * The nearest-neighbour index of one shop and one vector space (an image model, the colour
 * descriptor, or their combination): an hnswlib HNSW graph in cosine space, kept on disk at
 * `<dataDir>/index/<shop>/<key>.hnsw` with `<key>.ids.json` (label -> product id and a content hash
 * per label, so that a sync adds, updates and deletes exactly what changed) and, for large catalogs,
 * `<key>.pca.f32` (the projection; see pca.ts).
 *
 * Search is exact (a scan of an in-memory matrix) while the catalogue is small enough for a scan to
 * be as fast as the graph (EXACT_MAX_WORK), and through the graph above.
 *
 * Memory: above PCA_MIN_ITEMS products, vectors wider than PCA_DIMS are projected to PCA_DIMS
 * dimensions before they enter the graph. hnswlib keeps every vector in float32 inside the graph;
 * at 50,000 products x 1,392 dimensions that is 278 MB of heap per shop (measured process growth
 * 330 MB), at 256 dimensions 51 MB (measured 134 MB), and the build is faster (43 s against 68 s on
 * this machine). The full vectors stay on disk (`<key>.full.f32`, one row per
 * label, read with positional reads through the page cache): the graph proposes RERANK_FACTOR x k
 * candidates in the projected space and they are re-ranked by their exact full-dimensional cosine,
 * which wins back most of what the projection loses (scripts/bench/index.mts measures both).
 * Float16 would halve only our own copy, not hnswlib's, so it buys little here.
 *
 * Queries and product vectors are always in the stored (full) space; the projection is internal.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import hnswlib from "hnswlib-node";
import { dataDir } from "../env.server";
import { fitProjection, project, type Projection } from "./pca";
import { l2normalise } from "./pool";
import { systemClock } from "../clock";

const { HierarchicalNSW } = hnswlib;
type Hnsw = InstanceType<typeof HierarchicalNSW>;

/** Exact scan up to this many multiply-adds per query (items x dims): about 290 products of 1,392 dims, 3,500 of the 112-d colour descriptor. Above it the graph answers faster (scripts/bench/index.mts). */
export const EXACT_MAX_WORK = 400_000;
export const PCA_MIN_ITEMS = 20_000;
export const PCA_DIMS = 256;
export const HNSW_M = 16;
export const HNSW_EF_CONSTRUCTION = 100;
/** Search breadth: recall@10 >= 0.95 needs ef well above k. */
export const HNSW_EF_SEARCH = 128;
/** With a projection, the graph proposes this many times k candidates (at least RERANK_MIN) for the exact re-rank. */
export const RERANK_FACTOR = 10;
export const RERANK_MIN = 100;

export interface IndexMeta {
  version: 1;
  key: string;
  /** Dimensions in the graph (after projection). */
  dim: number;
  /** Dimensions of the vectors as stored. */
  inputDim: number;
  /** label -> product id; null for a deleted label. */
  labels: (string | null)[];
  /** label -> sha1 prefix of the stored vector: an unchanged vector is not re-added. */
  hashes: (string | null)[];
  /** Freshness token of the vectors the index was built from (see search.server.ts). */
  fingerprint: string;
  /** Share of energy the projection keeps (1 without projection). */
  energy: number;
  /** Time the projection took to fit at the last rebuild (0 without projection). */
  pcaMs?: number;
  builtAt: string;
}

export interface SyncStats {
  key: string;
  total: number;
  added: number;
  updated: number;
  removed: number;
  rebuilt: boolean;
  projected: boolean;
  ms: number;
}

export function indexDir(shop: string, root = dataDir()): string {
  return path.join(root, "index", safe(shop));
}

function safe(s: string): string {
  return s.replace(/[^A-Za-z0-9._+-]+/g, "_");
}

/** The files of the index of (shop, key): what app/embedding/sharedIndex.server.ts publishes and installs. */
export function indexFiles(shop: string, key: string, root?: string) {
  return files(shop, key, root);
}

function files(shop: string, key: string, root?: string) {
  const base = path.join(indexDir(shop, root), safe(key));
  return { graph: `${base}.hnsw`, meta: `${base}.ids.json`, pca: `${base}.pca.f32`, full: `${base}.full.f32` };
}

export function vectorHash(v: Float32Array): string {
  return crypto.createHash("sha1").update(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)).digest("hex").slice(0, 16);
}

/** Writes through a temporary file and a rename: a crash never leaves half an index. */
function writeAtomic(file: string, write: (tmp: string) => void): void {
  const tmp = `${file}.${process.pid}.tmp`;
  write(tmp);
  fs.renameSync(tmp, file);
}

/** Top-k by score with a small sorted buffer (k is small; n can be large). */
export function topK(n: number, k: number, score: (i: number) => number, accept?: (i: number) => boolean): { i: number; score: number }[] {
  const best: { i: number; score: number }[] = [];
  for (let i = 0; i < n; i++) {
    if (accept && !accept(i)) continue;
    const s = score(i);
    if (best.length === k && s <= best[k - 1].score) continue;
    let pos = best.length < k ? best.length : k - 1;
    while (pos > 0 && best[pos - 1].score < s) pos--;
    best.splice(pos, 0, { i, score: s });
    if (best.length > k) best.pop();
  }
  return best;
}

/** Exact cosine search over L2-normalised rows of a row-major matrix. */
export class ExactSearch {
  constructor(readonly dim: number, readonly matrix: Float32Array, readonly count: number) {}

  static from(vectors: Float32Array[], dim: number): ExactSearch {
    const m = new Float32Array(vectors.length * dim);
    vectors.forEach((v, i) => m.set(v, i * dim));
    return new ExactSearch(dim, m, vectors.length);
  }

  row(i: number): Float32Array {
    return this.matrix.subarray(i * this.dim, (i + 1) * this.dim);
  }

  search(q: Float32Array, k: number, accept?: (i: number) => boolean): { i: number; score: number }[] {
    const d = this.dim, m = this.matrix;
    const d4 = d - (d % 4);
    return topK(this.count, k, (i) => {
      // Four accumulators: independent additions pipeline better than one running sum.
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      const o = i * d;
      let j = 0;
      for (; j < d4; j += 4) {
        s0 += m[o + j] * q[j];
        s1 += m[o + j + 1] * q[j + 1];
        s2 += m[o + j + 2] * q[j + 2];
        s3 += m[o + j + 3] * q[j + 3];
      }
      for (; j < d; j++) s0 += m[o + j] * q[j];
      return s0 + s1 + s2 + s3;
    }, accept);
  }
}

/**
 * Full-dimensional vectors of a projected index on disk, one Float32 row per label. Rows are read
 * with positional reads (page cache, not heap); the file descriptor is opened at load, so a reader
 * keeps the file it loaded with even when a rebuild replaces it.
 */
class FullVectors {
  private fd: number | null = null;
  private readonly rowBytes: number;
  private static readonly closer = new FinalizationRegistry<number>((fd) => fs.close(fd, () => undefined));

  constructor(readonly file: string, readonly dim: number) {
    this.rowBytes = dim * 4;
  }

  open(): this {
    if (this.fd === null) {
      this.fd = fs.openSync(this.file, "r");
      FullVectors.closer.register(this, this.fd);
    }
    return this;
  }

  read(label: number): Float32Array {
    return this.readInto(label, new Float32Array(this.dim));
  }

  /** Reads a row into `buf` (dim floats): the re-ranking reads hundreds of rows per query into one buffer. */
  readInto(label: number, buf: Float32Array): Float32Array {
    const n = fs.readSync(this.open().fd!, new Uint8Array(buf.buffer, buf.byteOffset, this.rowBytes), 0, this.rowBytes, label * this.rowBytes);
    if (n !== this.rowBytes) throw new Error(`${this.file}: row ${label} is missing (index files out of step; run \`facet embed --force\`)`);
    return buf;
  }

  /** Writes rows in place (incremental updates); a new label's row extends the file. */
  static writeRows(file: string, rows: { label: number; vector: Float32Array }[]): void {
    if (rows.length === 0) return;
    const fd = fs.openSync(file, fs.existsSync(file) ? "r+" : "w");
    try {
      for (const r of rows) fs.writeSync(fd, new Uint8Array(r.vector.buffer, r.vector.byteOffset, r.vector.byteLength), 0, r.vector.byteLength, r.label * r.vector.byteLength);
    } finally {
      fs.closeSync(fd);
    }
  }
}

export class ProductVectorIndex {
  private exactCache: { search: ExactSearch; labels: Int32Array } | null = null;
  private readonly labelOf = new Map<string, number>();

  constructor(
    readonly meta: IndexMeta,
    readonly graph: Hnsw,
    readonly projection: Projection | null,
    /** The full vectors of a projected index (null without projection: the graph holds them). */
    readonly full: FullVectors | null = null,
  ) {
    meta.labels.forEach((id, label) => id !== null && this.labelOf.set(id, label));
    graph.setEf(HNSW_EF_SEARCH);
  }

  /** Dimensions of queries and product vectors (the stored space). */
  get dim(): number {
    return this.meta.inputDim;
  }

  /** Dimensions inside the graph (smaller than `dim` when projected). */
  get graphDim(): number {
    return this.meta.dim;
  }

  /** Live products in the index. */
  get size(): number {
    return this.labelOf.size;
  }

  label(productId: string): number | undefined {
    return this.labelOf.get(productId);
  }

  /** A stored-space vector into the graph's space (projected when the index is, always L2-normalised). */
  prepare(v: Float32Array): Float32Array {
    if (v.length !== this.meta.inputDim) throw new Error(`vector has ${v.length} dimensions, the index ${this.meta.key} has ${this.meta.inputDim}`);
    if (this.projection) return project(this.projection, v);
    return l2normalise(Float32Array.from(v));
  }

  /** A product's vector in the stored space (normalised), or null. */
  vectorOfLabel(label: number): Float32Array | null {
    if (this.meta.labels[label] == null) return null;
    return this.full ? this.full.read(label) : Float32Array.from(this.graph.getPoint(label));
  }

  /**
   * A product's vector in the graph's space (the PCA projection when the index is projected), unit
   * length, or null: for similarities between products where the projection's few lost percent of
   * energy do not matter (diversity), without reading the full row from disk.
   */
  graphVectorOfLabel(label: number): Float32Array | null {
    if (this.meta.labels[label] == null) return null;
    return l2normalise(Float32Array.from(this.graph.getPoint(label)));
  }

  /** Whether a query scans (exact) or walks the graph. */
  get usesExact(): boolean {
    return this.size * this.meta.dim <= EXACT_MAX_WORK;
  }

  /** The live vectors of the graph's space as a matrix (rows in label order, deleted labels skipped). */
  private exact(): { search: ExactSearch; labels: Int32Array } {
    if (!this.exactCache) {
      const labels: number[] = [];
      const vectors: Float32Array[] = [];
      this.meta.labels.forEach((id, label) => {
        if (id === null) return;
        labels.push(label);
        vectors.push(Float32Array.from(this.graph.getPoint(label)));
      });
      this.exactCache = { search: ExactSearch.from(vectors, this.meta.dim), labels: Int32Array.from(labels) };
    }
    return this.exactCache;
  }

  /**
   * Top-k labels by cosine for a query in the stored space. `accept` filters labels. "exact" scans
   * the graph's vectors; "graph" walks the graph; "auto" scans small indexes. With a projection the
   * candidates are re-ranked by their exact full-dimensional cosine.
   */
  search(q: Float32Array, k: number, accept?: (label: number) => boolean, mode: "auto" | "exact" | "graph" = "auto"): { label: number; score: number }[] {
    const live = this.size;
    if (live === 0 || k <= 0) return [];
    const qg = this.prepare(q);
    const want = this.full ? Math.max(k * RERANK_FACTOR, RERANK_MIN) : k;
    let found: { label: number; score: number }[];
    if (mode === "exact" || (mode === "auto" && this.usesExact)) {
      const { search, labels } = this.exact();
      found = search.search(qg, want, accept ? (i) => accept(labels[i]) : undefined).map((r) => ({ label: labels[r.i], score: r.score }));
    } else {
      const kk = Math.min(want, live);
      this.graph.setEf(Math.max(HNSW_EF_SEARCH, kk * 2));
      let res: { neighbors: number[]; distances: number[] };
      try {
        res = this.graph.searchKnn(Array.from(qg), kk, accept);
      } catch {
        // hnswlib throws when a filter leaves fewer than k candidates reachable: fall back to the scan.
        return this.search(q, k, accept, "exact");
      }
      found = res.neighbors.map((label, i) => ({ label, score: 1 - res.distances[i] }));
    }
    if (!this.full) return found;
    const qn = l2normalise(Float32Array.from(q));
    // One row buffer for all candidates: a fresh array per row was most of the query's garbage.
    const row = new Float32Array(this.full.dim);
    return found
      .map((c) => {
        const v = this.full!.readInto(c.label, row);
        // Four accumulators: about twice as fast as one over 1,392 dimensions (float64 sums either way).
        let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        let j = 0;
        for (; j + 4 <= v.length; j += 4) {
          s0 += v[j] * qn[j];
          s1 += v[j + 1] * qn[j + 1];
          s2 += v[j + 2] * qn[j + 2];
          s3 += v[j + 3] * qn[j + 3];
        }
        for (; j < v.length; j++) s0 += v[j] * qn[j];
        return { label: c.label, score: s0 + s1 + s2 + s3 };
      })
      .sort((a, b) => b.score - a.score)
      .slice(0, k);
  }

  save(shop: string, root?: string): void {
    const f = files(shop, this.meta.key, root);
    fs.mkdirSync(path.dirname(f.graph), { recursive: true });
    writeAtomic(f.graph, (tmp) => this.graph.writeIndexSync(tmp));
    if (this.projection) {
      const p = this.projection;
      writeAtomic(f.pca, (tmp) => fs.writeFileSync(tmp, Buffer.from(p.basis.buffer, p.basis.byteOffset, p.basis.byteLength)));
    } else {
      fs.rmSync(f.pca, { force: true });
      fs.rmSync(f.full, { force: true });
    }
    writeAtomic(f.meta, (tmp) => fs.writeFileSync(tmp, JSON.stringify(this.meta)));
  }

  /** Reads an index from disk; null when absent or unreadable (the caller rebuilds). */
  static load(shop: string, key: string, root?: string): ProductVectorIndex | null {
    const f = files(shop, key, root);
    if (!fs.existsSync(f.meta) || !fs.existsSync(f.graph)) return null;
    try {
      const meta = JSON.parse(fs.readFileSync(f.meta, "utf8")) as IndexMeta;
      if (meta.version !== 1) return null;
      let projection: Projection | null = null;
      if (meta.dim !== meta.inputDim) {
        const raw = fs.readFileSync(f.pca);
        const basis = new Float32Array(new Uint8Array(raw).buffer);
        if (basis.length !== meta.dim * meta.inputDim) return null;
        projection = { inputDim: meta.inputDim, dim: meta.dim, basis, energy: meta.energy };
      }
      const graph = new HierarchicalNSW("cosine", meta.dim);
      graph.readIndexSync(f.graph);
      const full = projection ? new FullVectors(f.full, meta.inputDim).open() : null;
      return new ProductVectorIndex(meta, graph, projection, full);
    } catch {
      return null;
    }
  }

  static remove(shop: string, key: string, root?: string): void {
    for (const file of Object.values(files(shop, key, root))) fs.rmSync(file, { force: true });
  }
}

function newGraph(dim: number, capacity: number): Hnsw {
  const g = new HierarchicalNSW("cosine", dim);
  g.initIndex(Math.max(64, capacity), HNSW_M, HNSW_EF_CONSTRUCTION, 100);
  return g;
}

/**
 * Brings the on-disk index of (shop, key) in line with `items` (all live vectors of that space):
 * adds new products, re-adds changed vectors, marks removed products deleted, and saves.
 * Rebuilds from scratch when there is no index, when dimensions changed, when `force`, or when
 * deleted labels exceed a third of the graph (they still cost memory and search time).
 */
export function syncIndex(
  shop: string,
  key: string,
  items: { productId: string; vector: Float32Array }[],
  opts: { force?: boolean; fingerprint?: string; root?: string; pcaMinItems?: number; pcaDims?: number } = {},
): { index: ProductVectorIndex; stats: SyncStats } {
  const started = performance.now();
  const inputDim = items[0]?.vector.length ?? 0;
  const hashes = new Map(items.map((it) => [it.productId, vectorHash(it.vector)]));
  let index = opts.force ? null : ProductVectorIndex.load(shop, key, opts.root);
  const stats: SyncStats = { key, total: items.length, added: 0, updated: 0, removed: 0, rebuilt: false, projected: false, ms: 0 };

  const deletedShare = index ? index.meta.labels.filter((l) => l === null).length / Math.max(1, index.meta.labels.length) : 0;
  if (!index || index.meta.inputDim !== inputDim || deletedShare > 1 / 3) {
    index = build(key, items, inputDim, files(shop, key, opts.root).full, opts);
    stats.rebuilt = true;
    stats.added = items.length;
  } else {
    const live = new Set(hashes.keys());
    const removed = index.meta.labels.filter((id): id is string => id !== null && !live.has(id));
    index = applyDiff(index, items, removed, stats, hashes);
  }
  index.meta.fingerprint = opts.fingerprint ?? index.meta.fingerprint;
  index.meta.builtAt = systemClock.now().toISOString();
  stats.projected = index.projection !== null;
  if (items.length === 0) ProductVectorIndex.remove(shop, key, opts.root);
  else index.save(shop, opts.root);
  stats.ms = Math.round(performance.now() - started);
  return { index, stats };
}

/** Marks `removed` deleted, and adds or re-adds those of `upserts` whose vector changed. */
function applyDiff(
  index: ProductVectorIndex,
  upserts: { productId: string; vector: Float32Array }[],
  removed: string[],
  stats: SyncStats,
  hashes = new Map(upserts.map((it) => [it.productId, vectorHash(it.vector)])),
): ProductVectorIndex {
  const { meta, graph } = index;
  const fullRows: { label: number; vector: Float32Array }[] = [];
  const known = new Map<string, number>();
  meta.labels.forEach((id, label) => id !== null && known.set(id, label));
  for (const id of removed) {
    const label = known.get(id);
    if (label === undefined) continue;
    graph.markDelete(label);
    meta.labels[label] = null;
    meta.hashes[label] = null;
    known.delete(id);
    stats.removed++;
  }
  for (const it of upserts) {
    const h = hashes.get(it.productId)!;
    const label = known.get(it.productId);
    if (label !== undefined && meta.hashes[label] === h) continue;
    const v = index.prepare(it.vector);
    let target = label;
    if (target !== undefined) {
      graph.addPoint(Array.from(v), target); // an existing label: hnswlib updates the point
      meta.hashes[target] = h;
      stats.updated++;
    } else {
      target = meta.labels.length;
      if (target >= graph.getMaxElements()) graph.resizeIndex(Math.ceil(Math.max(target + 1, graph.getMaxElements() * 1.5)));
      graph.addPoint(Array.from(v), target);
      meta.labels.push(it.productId);
      meta.hashes.push(h);
      known.set(it.productId, target);
      stats.added++;
    }
    if (index.full) fullRows.push({ label: target, vector: l2normalise(Float32Array.from(it.vector)) });
  }
  if (index.full) FullVectors.writeRows(index.full.file, fullRows);
  return new ProductVectorIndex(meta, graph, index.projection, index.full);
}

/**
 * Applies the changes of a few products to an existing, current index without reading the other
 * vectors (the webhook path: one product added, changed or deleted). Returns null when there is no
 * index on disk or its fingerprint is not `expectFingerprint` (then the caller runs syncIndex).
 */
export function patchIndex(
  shop: string,
  key: string,
  upserts: { productId: string; vector: Float32Array }[],
  removed: string[],
  opts: { expectFingerprint: string; fingerprint: string; root?: string },
): { index: ProductVectorIndex; stats: SyncStats } | null {
  const started = performance.now();
  const existing = ProductVectorIndex.load(shop, key, opts.root);
  if (!existing || existing.meta.fingerprint !== opts.expectFingerprint) return null;
  if (upserts.some((u) => u.vector.length !== existing.meta.inputDim)) return null;
  const stats: SyncStats = { key, total: 0, added: 0, updated: 0, removed: 0, rebuilt: false, projected: existing.projection !== null, ms: 0 };
  const index = applyDiff(existing, upserts, removed, stats);
  index.meta.fingerprint = opts.fingerprint;
  index.meta.builtAt = systemClock.now().toISOString();
  index.save(shop, opts.root);
  stats.total = index.size;
  stats.ms = Math.round(performance.now() - started);
  return { index, stats };
}

function build(
  key: string,
  items: { productId: string; vector: Float32Array }[],
  inputDim: number,
  fullFile: string,
  opts: { pcaMinItems?: number; pcaDims?: number },
): ProductVectorIndex {
  const pcaDims = opts.pcaDims ?? PCA_DIMS;
  const pcaStarted = performance.now();
  const projection =
    items.length >= (opts.pcaMinItems ?? PCA_MIN_ITEMS) && inputDim > pcaDims
      ? fitProjection(items.map((it) => it.vector), pcaDims)
      : null;
  const pcaMs = projection ? Math.round(performance.now() - pcaStarted) : 0;
  const dim = projection ? projection.dim : inputDim;
  const meta: IndexMeta = {
    version: 1,
    key,
    dim,
    inputDim,
    labels: [],
    hashes: [],
    fingerprint: "",
    energy: projection ? projection.energy : 1,
    pcaMs,
    builtAt: "",
  };
  const graph = newGraph(dim, Math.ceil(items.length * 1.25));
  const index = new ProductVectorIndex(meta, graph, projection);
  items.forEach((it, label) => {
    graph.addPoint(Array.from(index.prepare(it.vector)), label);
    meta.labels.push(it.productId);
    meta.hashes.push(vectorHash(it.vector));
  });
  let full: FullVectors | null = null;
  if (projection) {
    // A new file (not rewritten in place): readers of the previous index keep the file they opened.
    fs.mkdirSync(path.dirname(fullFile), { recursive: true });
    writeAtomic(fullFile, (tmp) => {
      const fd = fs.openSync(tmp, "w");
      try {
        for (const it of items) {
          const v = l2normalise(Float32Array.from(it.vector));
          fs.writeSync(fd, new Uint8Array(v.buffer));
        }
      } finally {
        fs.closeSync(fd);
      }
    });
    full = new FullVectors(fullFile, inputDim).open();
  }
  return new ProductVectorIndex(meta, graph, projection, full);
}
