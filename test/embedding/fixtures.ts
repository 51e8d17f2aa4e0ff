/** Test fixtures for the embedding tests: products in the database and drawn product images. */
import sharp from "sharp";
import { rawDb } from "../../app/db.server";

export interface FixtureProduct {
  id: string;
  imageUrl: string;
  additionalImages?: string;
  category?: string;
  price?: number;
  stockStatus?: string;
}

export function insertProducts(shop: string, products: FixtureProduct[]): void {
  const ins = rawDb().prepare(
    `INSERT INTO Product (shop, id, title, category, brand, price, imageUrl, additionalImages, material, stockStatus)
     VALUES (?, ?, ?, ?, 'Facet', ?, ?, ?, 'metal', ?)
     ON CONFLICT(shop, id) DO UPDATE SET imageUrl = excluded.imageUrl, additionalImages = excluded.additionalImages, deletedAt = NULL`,
  );
  for (const p of products) {
    ins.run(shop, p.id, `Product ${p.id}`, p.category ?? "rings", p.price ?? 100, p.imageUrl, p.additionalImages ?? null, p.stockStatus ?? "in_stock");
  }
}

export function setSetting(shop: string, key: string, value: unknown): void {
  rawDb()
    .prepare(`INSERT INTO Setting (shop, key, value) VALUES (?, ?, ?) ON CONFLICT(shop, key) DO UPDATE SET value = excluded.value`)
    .run(shop, key, JSON.stringify(value));
}

/** A ring-like shape of `rgb` on white (a product shot): an annulus with a little shading, wide or tall. */
export async function ringImage(rgb: [number, number, number], opts: { width?: number; height?: number; alpha?: boolean } = {}): Promise<Buffer> {
  const w = opts.width ?? 48, h = opts.height ?? 32;
  const ch = opts.alpha ? 4 : 3;
  const px = Buffer.alloc(w * h * ch, 255);
  if (opts.alpha) for (let i = 0; i < w * h; i++) px[i * 4 + 3] = 0;
  const cx = w / 2, cy = h / 2, R = Math.min(w, h) * 0.45;
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const d = Math.hypot(x - cx, y - cy);
      if (d > R || d < R * 0.55) continue;
      const shade = 0.8 + 0.2 * Math.cos(((x - cx) / R) * 1.5);
      const o = (y * w + x) * ch;
      for (let c = 0; c < 3; c++) px[o + c] = Math.round(rgb[c] * shade);
      if (opts.alpha) px[o + 3] = 255;
    }
  return sharp(px, { raw: { width: w, height: h, channels: ch } }).png().toBuffer();
}

export const GOLD: [number, number, number] = [212, 175, 55];
export const ROSE: [number, number, number] = [183, 110, 121];
export const SILVER: [number, number, number] = [192, 192, 200];
