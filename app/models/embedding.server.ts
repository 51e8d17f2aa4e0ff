/**
 * Product vectors (image embeddings and the colour descriptor), one row per (shop, product, model).
 * Vectors are stored L2-normalised as little-endian Float32 bytes.
 */
import { rawDb, rawDialect } from "../db.server";
import { systemClock } from "../clock";
import { settingRow, writeSetting, type SettingKey } from "./setting.server";

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
  const now = systemClock.now().toISOString();
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

/** Image hashes of stored vectors (no vectors read): decides what must be embedded again. */
export function embeddingHashes(shop: string, modelId: string): Map<string, string | null> {
  const rows = rawDb()
    .prepare(`SELECT productId, imageHash FROM ProductEmbedding WHERE shop = ? AND modelId = ?`)
    .all(shop, modelId) as { productId: string; imageHash: string | null }[];
  return new Map(rows.map((r) => [r.productId, r.imageHash]));
}

/** Vectors of live products only (deleted products are left out of indexes); of `productIds` only when given. */
export function loadLiveEmbeddings(shop: string, modelId: string, productIds?: string[]): Map<string, StoredEmbedding> {
  const sql = `SELECT e.productId, e.vector, e.imageHash FROM ProductEmbedding e
       JOIN Product p ON p.shop = e.shop AND p.id = e.productId
       WHERE e.shop = ? AND e.modelId = ? AND p.deletedAt IS NULL`;
  type Row = { productId: string; vector: Buffer; imageHash: string | null };
  let rows: Row[];
  if (productIds) {
    const one = rawDb().prepare(`${sql} AND e.productId = ?`);
    rows = productIds.flatMap((id) => one.all(shop, modelId, id) as Row[]);
  } else {
    rows = rawDb().prepare(`${sql} ORDER BY e.productId`).all(shop, modelId) as Row[];
  }
  const out = new Map<string, StoredEmbedding>();
  for (const r of rows) {
    const copy = new Uint8Array(r.vector);
    out.set(r.productId, { productId: r.productId, vector: new Float32Array(copy.buffer, 0, copy.byteLength / 4), imageHash: r.imageHash });
  }
  return out;
}

/** Removes vectors of products that no longer exist or are deleted (any model). Returns their product ids. */
export function pruneEmbeddings(shop: string): string[] {
  const db = rawDb();
  const gone = `FROM ProductEmbedding WHERE shop = ? AND productId NOT IN (SELECT id FROM Product WHERE shop = ? AND deletedAt IS NULL)`;
  return db.transaction(() => {
    const ids = (db.prepare(`SELECT DISTINCT productId ${gone}`).all(shop, shop) as { productId: string }[]).map((r) => r.productId);
    if (ids.length > 0) db.prepare(`DELETE ${gone}`).run(shop, shop);
    return ids;
  })();
}

/** Setting key of a shop's image model config (JSON: {path, id?, inputName?, outputName?, layout?, size?, range?}). */
export const IMAGE_MODEL_SETTING = "image.model";
/** Setting key where the embed job records which visual signal is active (JSON VisualStatus). */
export const VISUAL_STATUS_SETTING = "embedding.status";

export interface VisualStatus {
  kind: "onnx" | "colour";
  modelId: string;
  dim: number;
  /** A plain sentence for the log and the admin (e.g. "No image model configured: ..."). */
  note: string | null;
  updatedAt: string;
  /**
   * The colour descriptor's weight against the image model, chosen on the shop's catalogue by the
   * embed job (app/embedding/fusion.ts); absent until measured (the default applies).
   */
  colourWeight?: number;
  /**
   * How it was chosen: "validation" or "default", by which criterion ("category-map"; absent in
   * statuses written before it: nearest-neighbour agreement decided), on how many products, and per
   * weight the nearest-neighbour agreement and the mean average precision of the category.
   */
  fusion?: {
    chosenBy: "validation" | "default";
    criterion?: string;
    products: number;
    sweep: { weight: number; agreement: number; map?: number }[];
    /** Per number of neighbours of the augmentation (in `weight`), the same figures. */
    augmentSweep?: { weight: number; agreement: number; map?: number }[];
  };
  /** Neighbours each product's visual vector is averaged with (app/embedding/augment.ts); absent or 0: none. */
  augment?: number;
  /**
   * The catalogue mean the image model's vectors are centred on (app/embedding/space.ts; the
   * vector as base64 of float32); absent until fitted or for shops too small to fit one.
   */
  centre?: { modelId: string; dim: number; products: number; hash: string; vector: string };
}

/** The parsed value; a value that is not JSON is returned as its text (hand-written rows). */
function readSettingOrText(shop: string, key: SettingKey): unknown {
  const row = settingRow(shop, key);
  if (!row) return undefined;
  try {
    return JSON.parse(row.value);
  } catch {
    return row.value;
  }
}

/** The shop's image model config as stored (unvalidated), or undefined. */
export function imageModelSetting(shop: string): unknown {
  return readSettingOrText(shop, IMAGE_MODEL_SETTING);
}

export function visualStatus(shop: string): VisualStatus | null {
  const v = readSettingOrText(shop, VISUAL_STATUS_SETTING);
  return v && typeof v === "object" ? (v as VisualStatus) : null;
}

export function saveVisualStatus(shop: string, status: Omit<VisualStatus, "updatedAt">): void {
  writeSetting(shop, VISUAL_STATUS_SETTING, { ...status, updatedAt: systemClock.now().toISOString() });
}

/**
 * A freshness token for the vectors of some models: changes whenever a vector is added, replaced
 * or removed (count, newest write, and a sum over rowids). Indexes store it to know they are current.
 */
export function embeddingFingerprint(shop: string, modelIds: string[]): string {
  const stmt = rawDb().prepare(
    `SELECT COUNT(*) AS n, MAX(createdAt) AS latest, ${rawDialect() === "postgres" ? `COALESCE(SUM(hashtext(e."productId" || ':' || e."createdAt"::text || ':' || COALESCE(e."imageHash", ''))), 0)` : "TOTAL(rowid)"} AS ids FROM ProductEmbedding e
     WHERE e.shop = ? AND e.modelId = ? AND e.productId IN (SELECT id FROM Product WHERE shop = ? AND deletedAt IS NULL)`,
  );
  return modelIds
    .map((m) => {
      const r = stmt.get(shop, m, shop) as { n: number; latest: string | null; ids: number };
      return `${m}:${r.n}:${r.latest ?? "-"}:${r.ids}`;
    })
    .join("|");
}
