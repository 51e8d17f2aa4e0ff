/**
 * Where a browser loads a product's picture from. Shopify products have CDN URLs; shops imported from
 * files (the demo) have local paths, which the app serves itself at /media/<shop>/<productId>
 * (absolute on SHOPIFY_APP_URL when set, since the cards are shown on the shop's own domain).
 */
import { env } from "../env.server";

export function imageSrc(shop: string, productId: string, stored: string | null): string | null {
  if (!stored) return null;
  if (/^https?:\/\//i.test(stored)) return stored;
  const base = env().SHOPIFY_APP_URL?.replace(/\/$/, "") ?? "";
  return `${base}/media/${encodeURIComponent(shop)}/${encodeURIComponent(productId)}`;
}
