/**
 * Product vectors (image embeddings and the colour descriptor), one row per (shop, product, model).
 * Vectors are stored L2-normalised as little-endian Float32 bytes.
 */
import { rawDb } from "../db.server";

export interface StoredEmbedding {
  productId: string;
  vector: Float32Array;
  imageHash?: string | null;
}

function l2normalise(v: Float32Array): Float32Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  const n = Math.sqrt(s);
  if (n === 0) return v;
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = v[i] / n;
  return out;
}

/** Upserts vectors in one transaction (all or nothing). */
export function saveEmbeddings(shop: string, modelId: string, rows: StoredEmbedding[]): void {
  const db = rawDb();
  const stmt = db.prepare(
    `INSERT INTO ProductEmbedding (shop, productId, modelId, dim, vector, imageHash, createdAt) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT(shop, productId, modelId) DO UPDATE SET dim = excluded.dim, vector = excluded.vector,
       imageHash = excluded.imageHash, createdAt = excluded.createdAt`,
  );
  const now = new Date().toISOString();
  db.transaction(() => {
    for (const r of rows) {
      const v = l2normalise(r.vector);
      stmt.run(shop, r.productId, modelId, v.length, Buffer.from(v.buffer, v.byteOffset, v.byteLength), r.imageHash ?? null, now);
    }
  })();
}

/** All vectors of one model for a shop, keyed by product id. */
export function loadEmbeddings(shop: string, modelId: string): Map<string, StoredEmbedding> {
  const rows = rawDb()
    .prepare(`SELECT productId, vector, imageHash FROM ProductEmbedding WHERE shop = ? AND modelId = ?`)
    .all(shop, modelId) as { productId: string; vector: Buffer; imageHash: string | null }[];
  const out = new Map<string, StoredEmbedding>();
  for (const r of rows) {
    const copy = new Uint8Array(r.vector); // aligned copy
    out.set(r.productId, { productId: r.productId, vector: new Float32Array(copy.buffer, 0, copy.byteLength / 4), imageHash: r.imageHash });
  }
  return out;
}

/** Model ids with vectors for this shop, with counts. */
export function embeddingModels(shop: string): { modelId: string; count: number; dim: number }[] {
  return rawDb()
    .prepare(`SELECT modelId, COUNT(*) AS count, MAX(dim) AS dim FROM ProductEmbedding WHERE shop = ? GROUP BY modelId`)
    .all(shop) as { modelId: string; count: number; dim: number }[];
}
