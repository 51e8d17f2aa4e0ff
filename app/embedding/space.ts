/**
 * The image model's vectors as the visual search compares them (issue 14, point 7): each stored
 * vector (the model's pooled, L2-normalised output) is
 *   1. power-normalised: signed square root of every component, L2-normalised. CNN features after
 *      ReLU are sparse and bursty (a few large activations dominate the cosine); the square root
 *      evens them out (Jegou et al., "Aggregating local descriptors", 2010; Perronnin et al. 2010);
 *   2. centred on the shop's own catalogue: the mean of (1) over the shop's products is subtracted
 *      and the result L2-normalised. All product photos share a direction (the backdrop, "a garment
 *      on white"); removing it leaves what tells products apart (Jegou & Chum, "Negative evidences
 *      and co-occurrences in image retrieval", 2012: centring before comparing).
 * The centre is the shop's: fitted on its live products by the embed job (search.server.ts,
 * recordFusionWeight) when it has at least MIN_CENTRE_PRODUCTS of them, and refitted when the model
 * changed or the catalogue grew or shrank by more than REFIT_CHANGE (otherwise it stays, so that the
 * index can be patched incrementally). With fewer products no centre is used: subtracting the mean
 * of two products would make them opposites.
 *
 * Measured on the 100 H&M photos (`npm run eval:visual`, docs/EVALUATION.md "Visual similarity"):
 * each step raised the mean average precision of the product group a little; the figures are there.
 *
 * Pure: vectors in, vectors out. Stored vectors are untouched (the space is applied when the index
 * is built and queried), so a change here re-indexes but never re-embeds.
 */
import crypto from "node:crypto";
import { l2normalise } from "./pool";

export const MIN_CENTRE_PRODUCTS = 20;
export const REFIT_CHANGE = 0.1;
/** Named in the index key: a change of the transform (or of the centre) gives a new index. */
export const SPACE_VERSION = "s1";

export interface Centre {
  /** The image model whose vectors it was fitted on. */
  modelId: string;
  dim: number;
  /** Products it was fitted on. */
  products: number;
  /** Short content hash (for the index key). */
  hash: string;
  vector: Float32Array;
}

/** Signed square root of every component, L2-normalised (a new array). */
export function powerNormalise(v: Float32Array): Float32Array {
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = v[i] < 0 ? -Math.sqrt(-v[i]) : Math.sqrt(v[i]);
  return l2normalise(out);
}

/** The mean of the power-normalised vectors; null below MIN_CENTRE_PRODUCTS vectors. */
export function fitCentre(vectors: Float32Array[], modelId: string): Centre | null {
  if (vectors.length < MIN_CENTRE_PRODUCTS) return null;
  const dim = vectors[0].length;
  const sum = new Float64Array(dim);
  for (const v of vectors) {
    if (v.length !== dim) throw new Error(`fitCentre: vectors of ${v.length} and ${dim} dimensions (model ${modelId})`);
    const p = powerNormalise(v);
    for (let i = 0; i < dim; i++) sum[i] += p[i];
  }
  const vector = Float32Array.from(sum, (s) => s / vectors.length);
  return { modelId, dim, products: vectors.length, hash: centreHash(vector), vector };
}

export function centreHash(v: Float32Array): string {
  return crypto.createHash("sha256").update(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)).digest("hex").slice(0, 8);
}

/** Whether a stored centre still fits the shop's vectors (same model and dimension, catalogue size within REFIT_CHANGE). */
export function centreStillFits(c: Centre | null, modelId: string, dim: number, products: number): boolean {
  return !!c && c.modelId === modelId && c.dim === dim && Math.abs(products - c.products) <= REFIT_CHANGE * c.products;
}

/** A stored vector in the search space: power-normalised, minus the centre (when there is one), L2-normalised. */
export function toSearchSpace(v: Float32Array, centre: Centre | null): Float32Array {
  const p = powerNormalise(v);
  if (!centre || centre.dim !== v.length) return p;
  for (let i = 0; i < p.length; i++) p[i] -= centre.vector[i];
  return l2normalise(p);
}

/** The centre as the visual status stores it (JSON: the vector as base64 of little-endian float32). */
export interface StoredCentre {
  modelId: string;
  dim: number;
  products: number;
  hash: string;
  vector: string;
}

export function encodeCentre(c: Centre): StoredCentre {
  return { modelId: c.modelId, dim: c.dim, products: c.products, hash: c.hash, vector: Buffer.from(c.vector.buffer, c.vector.byteOffset, c.vector.byteLength).toString("base64") };
}

/** Null for anything that is not a well-formed stored centre (then no centring applies). */
export function decodeCentre(s: unknown): Centre | null {
  if (!s || typeof s !== "object") return null;
  const c = s as Partial<StoredCentre>;
  if (typeof c.modelId !== "string" || typeof c.vector !== "string" || typeof c.dim !== "number" || typeof c.products !== "number") return null;
  const bytes = Buffer.from(c.vector, "base64");
  if (bytes.byteLength !== c.dim * 4) return null;
  const copy = new Uint8Array(bytes); // aligned
  const vector = new Float32Array(copy.buffer, 0, c.dim);
  return { modelId: c.modelId, dim: c.dim, products: c.products, hash: centreHash(vector), vector };
}
