/**
 * Product images as the embed pipeline sees them: the references of every product (image_url, then
 * additional_images in order), the state of each fetch (ok with the bytes' hash, or failed with the
 * reason: retried on the next run), and the folder that relative paths are resolved against.
 */
import { env } from "../env.server";
import { rawDb } from "../db.server";
import { readSetting, settingRow, writeSetting } from "./setting.server";

/** Setting key holding the folder a shop was imported from (JSON string); written by the import. */
export const IMPORT_DIR_SETTING = "import.dir";

export interface ProductImageRefs {
  productId: string;
  /** Position 0 = image_url, then additional_images in order; empty references are dropped. */
  refs: string[];
}

export interface ImageState {
  productId: string;
  position: number;
  url: string;
  status: "pending" | "ok" | "failed";
  error: string | null;
  hash: string | null;
  fetchedAt: string | null;
}

export function splitImageList(list: string | null | undefined): string[] {
  if (!list) return [];
  // URLs may contain commas only when percent-encoded; the import format separates with commas.
  return list.split(",").map((s) => s.trim()).filter(Boolean);
}

/** Image references of the shop's live products (or of `productIds`), sorted by product id. */
export function productImageRefs(shop: string, productIds?: string[]): ProductImageRefs[] {
  const db = rawDb();
  let rows: { id: string; imageUrl: string; additionalImages: string | null }[];
  if (productIds) {
    const stmt = db.prepare(`SELECT id, imageUrl, additionalImages FROM Product WHERE shop = ? AND id = ? AND deletedAt IS NULL`);
    rows = productIds.flatMap((id) => (stmt.all(shop, id) as typeof rows));
    rows.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  } else {
    rows = db
      .prepare(`SELECT id, imageUrl, additionalImages FROM Product WHERE shop = ? AND deletedAt IS NULL ORDER BY id`)
      .all(shop) as typeof rows;
  }
  return rows.map((r) => ({
    productId: r.id,
    refs: [r.imageUrl?.trim(), ...splitImageList(r.additionalImages)].filter((s): s is string => !!s),
  }));
}

/** Fetch states of the shop's images, keyed by product id, ordered by position. */
export function imageStates(shop: string): Map<string, ImageState[]> {
  const rows = rawDb()
    .prepare(`SELECT productId, position, url, status, error, hash, fetchedAt FROM ProductImage WHERE shop = ? ORDER BY productId, position`)
    .all(shop) as ImageState[];
  const out = new Map<string, ImageState[]>();
  for (const r of rows) {
    let list = out.get(r.productId);
    if (!list) out.set(r.productId, (list = []));
    list.push(r);
  }
  return out;
}

/**
 * Replaces the image states of the given products (all their positions) in one transaction.
 * Positions no longer present (an additional image removed) are deleted.
 */
export function saveImageStates(shop: string, byProduct: Map<string, Omit<ImageState, "productId">[]>): void {
  const db = rawDb();
  const del = db.prepare(`DELETE FROM ProductImage WHERE shop = ? AND productId = ?`);
  const ins = db.prepare(
    `INSERT INTO ProductImage (shop, productId, position, url, status, error, hash, fetchedAt) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  db.transaction(() => {
    for (const [productId, states] of byProduct) {
      del.run(shop, productId);
      for (const s of states) ins.run(shop, productId, s.position, s.url, s.status, s.error, s.hash, s.fetchedAt);
    }
  })();
}

/** Failed images with their reasons (for the CLI summary and the admin). */
export function failedImages(shop: string, limit = 1000): { productId: string; position: number; url: string; error: string | null }[] {
  return rawDb()
    .prepare(`SELECT productId, position, url, error FROM ProductImage WHERE shop = ? AND status = 'failed' ORDER BY productId, position LIMIT ?`)
    .all(shop, limit) as { productId: string; position: number; url: string; error: string | null }[];
}

/** Records the folder a shop was imported from: relative image paths resolve against it and
 * /media serves only files inside it (app/http/media.server.ts). */
export function recordImportDir(shop: string, dir: string): void {
  // Unchanged folder: no write, so re-importing the same files leaves the database byte-identical.
  if (readSetting(shop, IMPORT_DIR_SETTING) !== dir) writeSetting(shop, IMPORT_DIR_SETTING, dir);
}

/** The folder relative image paths are resolved against: the shop's import folder, else FACET_IMAGE_BASE_DIR. */
export function imageBaseDir(shop: string): string | null {
  const row = settingRow(shop, IMPORT_DIR_SETTING);
  if (row) {
    try {
      const v = JSON.parse(row.value);
      if (typeof v === "string" && v) return v;
    } catch {
      if (row.value) return row.value; // tolerate a bare path
    }
  }
  return env().FACET_IMAGE_BASE_DIR ?? null;
}
