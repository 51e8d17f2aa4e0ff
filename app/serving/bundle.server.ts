/**
 * Serving bundles (issue 17, docs/decisions/0175-serving-bundle.md): what requests need, precomputed
 * by the jobs (embed, train, `facet bundle`) and only read by the web process, off the event loop
 * (fs.promises), never built there. One artifact per input version in the artifact store
 * (app/artifacts/store.server.ts: the data folder by default, or the database shared by every
 * machine, fetched into a local cache), written into a temporary folder and published when
 * complete (a folder with a manifest is complete), never written again:
 *
 *   bundle artifact visual-<hash of the visual fingerprint> (${dataDir()}/bundles/<shop>/<name>/ locally)
 *     manifest.json           format, shop, created, the fingerprint and index key it was built from,
 *                             and `parts`: name -> { file, dtype, shape, bytes, sha256 }
 *     ids.json                product ids, one per row
 *     neighbours.i32          rows x N: each product's N most similar products (row numbers, most
 *                             similar first, the product itself excluded, -1 past the end)
 *     neighbour_scores.f32    rows x N: their cosines in the stored (full) space
 *     compact.f32             rows x d: each product's unit-length compact vector (the index's PCA
 *                             projection when it has one, else the stored vector), for diversity and
 *                             the exact cosine against a small restricted set (new arrivals)
 *
 * The visual part is keyed by the shop's visual fingerprint (vectors, image model, colour weight),
 * not by the model version: vectors change without retraining and a retrain does not change them.
 * A part derived from a model version (an item model's top lists, popularity lists) goes into the
 * same manifest format under its own folder keyed by that version; `parts` is open for that.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { env } from "../env.server";
import { loadShopSettings } from "../models/settings.server";
import { ProductVectorIndex } from "../embedding/index";
import { activeVisualModel, COLOUR_ONLY_NOTE, refreshVisualIndex, visualFingerprint, visualKey } from "../embedding/search.server";
import type { Catalog, VectorSearch } from "../recommend/types";
import { systemClock } from "../clock";
import { artifactStore, collectArtifacts, stagingDir, type ArtifactRef } from "../artifacts/store.server";
import { announceServingChange } from "../queues/broadcast.server";

export const BUNDLE_FORMAT = 1;

type Dtype = "i32" | "f32";
interface Part {
  file: string;
  dtype: Dtype;
  shape: number[];
  bytes: number;
  sha256: string;
}
export interface VisualBundleManifest {
  format: number;
  kind: "visual";
  shop: string;
  created: string;
  fingerprint: string;
  key: string;
  modelId: string;
  visualKind: "onnx" | "colour";
  rows: number;
  neighbours: number;
  dim: number;
  /** Seconds the build took (neighbour search and compact vectors). */
  seconds: number;
  parts: Record<string, Part>;
}

/** The bundle artifact of a visual fingerprint: `visual-<first 20 hex of its sha256>`. */
export function visualBundleRef(shop: string, fingerprint: string): ArtifactRef {
  return { shop, kind: "bundle", name: `visual-${crypto.createHash("sha256").update(fingerprint).digest("hex").slice(0, 20)}` };
}

function readManifest(dir: string | null): VisualBundleManifest | null {
  if (!dir) return null;
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, "manifest.json"), "utf8")) as VisualBundleManifest;
  } catch {
    return null;
  }
}

function bytesOf(a: Float32Array | Int32Array): Buffer {
  if (os.endianness() !== "LE") throw new Error("serving bundle: big-endian platforms are not supported (files are little-endian)");
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

function unit(v: ArrayLike<number>): Float32Array {
  const out = Float32Array.from(v);
  let s = 0;
  for (let i = 0; i < out.length; i++) s += out[i] * out[i];
  const n = Math.sqrt(s);
  if (n > 0) for (let i = 0; i < out.length; i++) out[i] /= n;
  return out;
}

export interface VisualBundleData {
  ids: string[];
  /** rows x n, row numbers, -1 past the end. */
  neighbours: Int32Array;
  scores: Float32Array;
  n: number;
  compact: Float32Array;
  dim: number;
}

/**
 * Each live product's `n` nearest neighbours and compact vector, from the shop's index. A projected
 * index walks its graph for 2n candidates per product (the product's own graph vector as the
 * query: no projection) and re-ranks them by the full cosine; a small one scans exactly.
 */
export function computeVisualBundle(index: ProductVectorIndex, n: number): VisualBundleData {
  const labels: number[] = [];
  const ids: string[] = [];
  index.meta.labels.forEach((id, label) => {
    if (id === null) return;
    labels.push(label);
    ids.push(id);
  });
  const rows = labels.length;
  const rowOfLabel = new Map<number, number>();
  labels.forEach((l, r) => rowOfLabel.set(l, r));
  const dim = index.graphDim;
  const compact = new Float32Array(rows * dim);
  labels.forEach((l, r) => compact.set(unit(index.graph.getPoint(l)), r * dim));
  const neighbours = new Int32Array(rows * n).fill(-1);
  const scores = new Float32Array(rows * n);
  const full = index.full;
  const q = full ? new Float32Array(full.dim) : null;
  const row = full ? new Float32Array(full.dim) : null;
  for (let r = 0; r < rows; r++) {
    const label = labels[r];
    let found: { label: number; score: number }[];
    if (!full || index.usesExact) {
      found = index.search(index.vectorOfLabel(label)!, n + 1);
    } else {
      const kk = Math.min(2 * (n + 1), index.size);
      index.graph.setEf(Math.max(128, kk * 2));
      const res = index.graph.searchKnn(index.graph.getPoint(label), kk);
      full.readInto(label, q!);
      found = res.neighbors.map((c) => {
        const v = full.readInto(c, row!);
        let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        let j = 0;
        for (; j + 4 <= v.length; j += 4) {
          s0 += v[j] * q![j];
          s1 += v[j + 1] * q![j + 1];
          s2 += v[j + 2] * q![j + 2];
          s3 += v[j + 3] * q![j + 3];
        }
        for (; j < v.length; j++) s0 += v[j] * q![j];
        return { label: c, score: s0 + s1 + s2 + s3 };
      });
      found.sort((a, b) => b.score - a.score || a.label - b.label);
    }
    let m = 0;
    for (const f of found) {
      if (m >= n) break;
      const nr = rowOfLabel.get(f.label);
      if (f.label === label || nr === undefined) continue;
      neighbours[r * n + m] = nr;
      scores[r * n + m] = f.score;
      m++;
    }
  }
  return { ids, neighbours, scores, n, compact, dim };
}

export interface WriteBundleResult {
  dir: string;
  rows: number;
  neighbours: number;
  dim: number;
  seconds: number;
  /** False when the bundle of the shop's current vectors was already there. */
  written: boolean;
}

/**
 * Writes the shop's visual bundle for its current vectors (bringing the index up to date first),
 * unless it exists; null when the shop has no vectors. For the jobs and the CLI, not the web process.
 */
export async function writeVisualBundle(shop: string, opts: { neighbours?: number; force?: boolean } = {}): Promise<WriteBundleResult | null> {
  const active = activeVisualModel(shop);
  if (!active) return null;
  refreshVisualIndex(shop);
  const fingerprint = visualFingerprint(shop)!;
  const ref = visualBundleRef(shop, fingerprint);
  const store = artifactStore();
  const n = opts.neighbours ?? loadShopSettings(shop).global.visualNeighbours;
  const existing = store.fetch(ref);
  const m = readManifest(existing);
  if (!opts.force && m && m.format === BUNDLE_FORMAT && m.neighbours === n) return { dir: existing!, rows: m.rows, neighbours: m.neighbours, dim: m.dim, seconds: 0, written: false };
  // Immutable in the store: a bundle of other neighbour settings (or a forced rebuild) replaces it under the same name.
  if (existing) store.remove(shop, "bundle", [ref.name]);
  const key = visualKey(active);
  const index = ProductVectorIndex.load(shop, key);
  if (!index) throw new Error(`serving bundle, ${shop}: the visual index ${key} is missing after its refresh: run \`facet embed --shop ${shop}\``);
  const t0 = performance.now();
  const data = computeVisualBundle(index, n);
  const seconds = (performance.now() - t0) / 1000;
  const tmp = stagingDir(ref);
  let final: string;
  try {
    const parts: Record<string, Part> = {};
    const put = async (name: string, file: string, data: Buffer, dtype: Dtype, shape: number[]) => {
      await fs.promises.writeFile(path.join(tmp, file), data);
      parts[name] = { file, dtype, shape, bytes: data.byteLength, sha256: crypto.createHash("sha256").update(data).digest("hex") };
    };
    const rows = data.ids.length;
    await fs.promises.writeFile(path.join(tmp, "ids.json"), JSON.stringify(data.ids));
    await put("neighbours", "neighbours.i32", bytesOf(data.neighbours), "i32", [rows, n]);
    await put("neighbourScores", "neighbour_scores.f32", bytesOf(data.scores), "f32", [rows, n]);
    await put("compact", "compact.f32", bytesOf(data.compact), "f32", [rows, data.dim]);
    const manifest: VisualBundleManifest = {
      format: BUNDLE_FORMAT,
      kind: "visual",
      shop,
      created: systemClock.now().toISOString(),
      fingerprint,
      key,
      modelId: active.modelId,
      visualKind: active.kind,
      rows,
      neighbours: n,
      dim: data.dim,
      seconds,
      parts,
    };
    await fs.promises.writeFile(path.join(tmp, "manifest.json"), JSON.stringify(manifest, null, 2));
    final = store.publish(ref, tmp, systemClock.now());
  } catch (e) {
    await fs.promises.rm(tmp, { recursive: true, force: true });
    throw e;
  }
  pruneVisualBundles(shop, ref.name);
  // Web processes rebuilt when the vectors changed, before this bundle existed: they take it now.
  await announceServingChange(shop, "bundle");
  return { dir: final, rows: data.ids.length, neighbours: n, dim: data.dim, seconds, written: true };
}

/**
 * Keeps the shop's newest FACET_MODEL_VERSIONS_KEEP visual bundles, the current one and any published
 * in the last minute (a loader may still be fetching the previous one); removes the others.
 */
function pruneVisualBundles(shop: string, keep: string): void {
  const now = systemClock.nowMs();
  collectArtifacts(shop, "bundle", env().FACET_MODEL_VERSIONS_KEEP, (name, createdAt) => name === keep || now - Date.parse(createdAt) < 60_000);
}

/** A bundle's visual search: neighbour lists and compact vectors only (no index, no vector file). */
export interface BundleVisualSearch extends VectorSearch {
  modelId: string;
  kind: "onnx" | "colour";
  key: string;
  note: string | null;
  /** Where it was read from (the admin, tests). */
  bundleDir: string;
  /** Bytes of the arrays its functions hold (the serving cache's bound counts them). */
  memoryBytes: number;
  neighbours(item: number): { items: Int32Array; scores: Float32Array } | null;
}

async function readTyped<T extends Int32Array | Float32Array>(dir: string, part: Part | undefined, Ctor: { new (b: ArrayBuffer, o: number, l: number): T; new (l: number): T; BYTES_PER_ELEMENT: number }): Promise<T> {
  if (!part) throw new Error(`serving bundle ${dir}: a part is missing from manifest.json: rebuild it with \`facet bundle\``);
  const file = path.join(dir, part.file);
  const buf = await fs.promises.readFile(file);
  const length = part.shape.reduce((a, b) => a * b, 1);
  if (buf.byteLength !== length * Ctor.BYTES_PER_ELEMENT) {
    throw new Error(`serving bundle ${file}: ${buf.byteLength} bytes, expected ${length * Ctor.BYTES_PER_ELEMENT} (damaged: rebuild it with \`facet bundle\`)`);
  }
  if (buf.byteOffset % Ctor.BYTES_PER_ELEMENT === 0) return new Ctor(buf.buffer as ArrayBuffer, buf.byteOffset, length);
  const out = new Ctor(length);
  new Uint8Array(out.buffer).set(buf);
  return out;
}

/**
 * The shop's visual search from the bundle of its current vectors, read with fs.promises (off the
 * event loop), or null when the shop has no vectors or no bundle of them was written yet (then the
 * caller may fall back to the index). Rows are mapped to the catalogue's dense indices; products no
 * longer in the catalogue drop out of every list.
 */
export async function loadVisualBundle(shop: string, catalog: Catalog): Promise<BundleVisualSearch | null> {
  const fingerprint = visualFingerprint(shop);
  if (!fingerprint) return null;
  const dir = artifactStore().fetch(visualBundleRef(shop, fingerprint));
  const manifest = readManifest(dir);
  if (!dir || !manifest) return null;
  if (manifest.format !== BUNDLE_FORMAT || manifest.fingerprint !== fingerprint) return null;
  const ids = JSON.parse(await fs.promises.readFile(path.join(dir, "ids.json"), "utf8")) as string[];
  const [rowNeighbours, rowScores, compact] = await Promise.all([
    readTyped(dir, manifest.parts.neighbours, Int32Array),
    readTyped(dir, manifest.parts.neighbourScores, Float32Array),
    readTyped(dir, manifest.parts.compact, Float32Array),
  ]);
  const n = manifest.neighbours;
  const dim = manifest.dim;
  const items = catalog.ids.length;
  const rowItem = Int32Array.from(ids, (id) => catalog.index.get(id) ?? -1);
  const itemRow = new Int32Array(items).fill(-1);
  rowItem.forEach((item, r) => item >= 0 && (itemRow[item] = r));
  // Row numbers -> catalogue indices in place, each list compacted past products no longer listed.
  const length = new Int32Array(ids.length);
  for (let r = 0; r < ids.length; r++) {
    let m = 0;
    for (let j = 0; j < n; j++) {
      const nr = rowNeighbours[r * n + j];
      if (nr < 0) break;
      const item = rowItem[nr];
      if (item < 0) continue;
      rowNeighbours[r * n + m] = item;
      rowScores[r * n + m] = rowScores[r * n + j];
      m++;
    }
    length[r] = m;
  }
  const rowOf = (item: number) => (item >= 0 && item < items ? itemRow[item] : -1);
  const vector = (item: number) => {
    const r = rowOf(item);
    return r >= 0 ? compact.subarray(r * dim, (r + 1) * dim) : null;
  };
  const note = manifest.visualKind === "colour" ? COLOUR_ONLY_NOTE : null;
  return {
    dim,
    modelId: manifest.modelId,
    kind: manifest.visualKind,
    key: manifest.key,
    note,
    bundleDir: dir,
    memoryBytes: rowNeighbours.byteLength + rowScores.byteLength + compact.byteLength + rowItem.byteLength + itemRow.byteLength + length.byteLength + ids.reduce((a, id) => a + 16 + id.length, 0),
    // Queries in the compact space: an exact scan (nothing on the request path calls it; the CLI's `similar` uses the index).
    search(query, k, exclude) {
      const out: { item: number; score: number }[] = [];
      for (let r = 0; r < ids.length; r++) {
        const item = rowItem[r];
        if (item < 0 || exclude?.has(item)) continue;
        let s = 0;
        for (let j = 0; j < dim; j++) s += query[j] * compact[r * dim + j];
        out.push({ item, score: s });
      }
      return out.sort((a, b) => b.score - a.score || a.item - b.item).slice(0, k);
    },
    vector,
    compact: vector,
    neighbours(item) {
      const r = rowOf(item);
      if (r < 0) return null;
      return { items: rowNeighbours.subarray(r * n, r * n + length[r]), scores: rowScores.subarray(r * n, r * n + length[r]) };
    },
  };
}
