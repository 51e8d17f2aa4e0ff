/**
 * The storefront's request mix of the load test (run.mts) and the in-process request bench
 * (requests.mts): placements product, product, home, cart, general in turn; shoppers 60 % known
 * customers, 15 % customers the shop has no data on yet, 25 % anonymous (half of them with three
 * recent views). Deterministic (seeded).
 */
import fs from "node:fs";
import path from "node:path";

export interface MixRequest {
  placement: "product" | "home" | "cart" | "general";
  customerId?: string;
  productId?: string;
  cart?: string[];
  recent?: string[];
}

/** The first column of a CSV file's data rows (the generator writes plain, unquoted ids). */
export function firstColumn(file: string): string[] {
  return fs.readFileSync(file, "utf8").split("\n").slice(1).map((l) => l.split(/[;,]/)[0]).filter(Boolean);
}

export function requestMix(shopDir: string, n: number): MixRequest[] {
  const customers = firstColumn(path.join(shopDir, "customers.csv"));
  const products = firstColumn(path.join(shopDir, "products.csv"));
  let seed = 12345;
  const rnd = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const product = () => products[Math.floor(rnd() * products.length)];
  const placements = ["product", "product", "home", "cart", "general"] as const;
  const out: MixRequest[] = [];
  for (let i = 0; i < n; i++) {
    const placement = placements[i % placements.length];
    const req: MixRequest = { placement };
    const r = rnd();
    if (r < 0.6) req.customerId = customers[Math.floor(rnd() * customers.length)];
    else if (r < 0.75) req.customerId = `new-${i}`;
    else if (r < 0.875) req.recent = [product(), product(), product()];
    if (placement === "product") req.productId = product();
    if (placement === "cart") req.cart = [product(), product()];
    out.push(req);
  }
  return out;
}

/** The API path of a request of the mix. */
export function apiPath(shop: string, key: string, r: MixRequest): string {
  let p = `/api/recommendations?shop=${shop}&api_key=${key}&placement=${r.placement}`;
  if (r.customerId) p += `&customer_id=${encodeURIComponent(r.customerId)}`;
  if (r.recent) p += `&recent=${r.recent.join(",")}`;
  if (r.productId) p += `&product_id=${r.productId}`;
  if (r.cart) p += `&cart=${r.cart.join(",")}`;
  return p + "&limit=8";
}
