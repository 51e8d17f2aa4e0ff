/**
 * The storefront's request mix of the load test (run.mts) and the in-process request bench
 * (requests.mts): placements product, product, home, cart, general in turn; shoppers 60 % known
 * customers (uniformly), 15 % customers the shop has no data on yet, 25 % anonymous (half of them
 * with three recent views). The products viewed, carted and recently seen are drawn from the shop's
 * own interaction log, so popular products come up as often as in the shop's traffic (a uniform
 * draw over 50,000 products would make every request a first visit of its product; `uniform`
 * gives that worst case). Deterministic (seeded).
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

/** Product ids of every `stride`-th interaction (the column product_id), in file order. */
export function interactionProducts(file: string, stride = 17): string[] {
  const buf = fs.readFileSync(file);
  const header = buf.subarray(0, buf.indexOf(10)).toString("utf8").split(/[;,]/);
  const col = header.indexOf("product_id");
  if (col < 0) throw new Error(`${file}: no product_id column`);
  const out: string[] = [];
  let line = 0;
  for (let at = buf.indexOf(10) + 1; at > 0 && at < buf.length; ) {
    const end = buf.indexOf(10, at);
    if (line++ % stride === 0) {
      const fields = buf.subarray(at, end < 0 ? buf.length : end).toString("utf8").split(/[;,]/);
      if (fields[col]) out.push(fields[col]);
    }
    at = end < 0 ? -1 : end + 1;
  }
  return out;
}

export function requestMix(shopDir: string, n: number, opts: { uniform?: boolean } = {}): MixRequest[] {
  const customers = firstColumn(path.join(shopDir, "customers.csv"));
  const products = opts.uniform ? firstColumn(path.join(shopDir, "products.csv")) : interactionProducts(path.join(shopDir, "interactions.csv"));
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

/** The API path of a request of the mix (the API key goes in a header, never in the path). */
export function apiPath(shop: string, r: MixRequest): string {
  let p = `/api/recommendations?shop=${shop}&placement=${r.placement}`;
  if (r.customerId) p += `&customer_id=${encodeURIComponent(r.customerId)}`;
  if (r.recent) p += `&recent=${r.recent.join(",")}`;
  if (r.productId) p += `&product_id=${r.productId}`;
  if (r.cart) p += `&cart=${r.cart.join(",")}`;
  return p + "&limit=8";
}
