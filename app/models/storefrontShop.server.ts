/**
 * Reads the storefront and the admin's preview need besides the recommendations themselves:
 * the shop's currency and locale, sample customers and products to preview with, and the
 * product rows behind a list of ids (for pictures and prices).
 */
import { rawDb } from "../db.server";

export interface ShopLocale {
  currency: string;
  /** BCP 47, e.g. de-DE. */
  locale: string;
  name: string | null;
}

export function shopLocale(shop: string): ShopLocale {
  const row = rawDb().prepare(`SELECT currency, locale, name FROM Shop WHERE id = ?`).get(shop) as ShopLocale | undefined;
  return row ?? { currency: "EUR", locale: "de-DE", name: null };
}

export interface PreviewCustomer {
  id: string;
  segment: string | null;
  gender: string | null;
  ageGroup: string | null;
  country: string | null;
  events: number;
}

/** The customers with the most interactions: the ones whose previews say the most. */
export function sampleCustomers(shop: string, limit = 25): PreviewCustomer[] {
  return rawDb()
    .prepare(
      `SELECT c.id, c.segment, c.gender, c.ageGroup, c.country, COUNT(i.id) AS events
       FROM Customer c LEFT JOIN Interaction i ON i.shop = c.shop AND i.customerId = c.id
       WHERE c.shop = ? GROUP BY c.shop, c.id ORDER BY events DESC, c.id LIMIT ?`,
    )
    .all(shop, limit) as PreviewCustomer[];
}

export interface ProductCard {
  id: string;
  title: string;
  handle: string | null;
  price: number;
  salePrice: number | null;
  imageUrl: string;
  category: string;
  stockStatus: string;
}

const CARD_COLUMNS = `id, title, handle, price, salePrice, imageUrl, category, stockStatus`;

/** Products for the preview's picker: the title matches `query` (all when empty), in-stock first. */
export function findProducts(shop: string, query: string, limit = 25): ProductCard[] {
  return rawDb()
    .prepare(
      `SELECT ${CARD_COLUMNS} FROM Product WHERE shop = ? AND deletedAt IS NULL AND (? = '' OR title LIKE ? OR id = ?)
       ORDER BY stockStatus = 'in_stock' DESC, id LIMIT ?`,
    )
    .all(shop, query, `%${query}%`, query, limit) as ProductCard[];
}

export function productCards(shop: string, ids: string[]): Map<string, ProductCard> {
  if (ids.length === 0) return new Map();
  const rows = rawDb()
    .prepare(`SELECT ${CARD_COLUMNS} FROM Product WHERE shop = ? AND id IN (${ids.map(() => "?").join(",")})`)
    .all(shop, ...ids) as ProductCard[];
  return new Map(rows.map((r) => [r.id, r]));
}

/** A product some customer has in a cart, for the cart placement's demo (null when none). */
export function someCartProduct(shop: string, customerId: string | null): string | null {
  const row = rawDb()
    .prepare(
      `SELECT productId FROM Interaction WHERE shop = ? AND type = 'add_to_cart' AND (? IS NULL OR customerId = ?)
       ORDER BY timestamp DESC LIMIT 1`,
    )
    .get(shop, customerId, customerId) as { productId: string } | undefined;
  return row?.productId ?? null;
}

/** A storefront URL names a product by handle; imported demo products without one by id. */
export function productIdByHandle(shop: string, handle: string): string | null {
  const row = rawDb()
    .prepare(`SELECT id FROM Product WHERE shop = ? AND deletedAt IS NULL AND (handle = ? OR id = ?) ORDER BY handle = ? DESC LIMIT 1`)
    .get(shop, handle, handle, handle) as { id: string } | undefined;
  return row?.id ?? null;
}

/** The primary image of a product as stored (a URL, or an absolute file path for imported demo shops). */
export function productImageLocation(shop: string, productId: string): string | null {
  const row = rawDb().prepare(`SELECT imageUrl FROM Product WHERE shop = ? AND id = ? AND deletedAt IS NULL`).get(shop, productId) as { imageUrl: string } | undefined;
  return row?.imageUrl || null;
}
