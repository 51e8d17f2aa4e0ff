/**
 * Issue 18 point 7 in-process: the demo storefront's "Add to cart" reports what the web pixel would
 * (the interaction and the add-to-cart credit of a recommendation click), and its checkout places
 * the order through the orders/create webhook path (the `sync` job), so the dashboard's attributed
 * revenue and a running experiment's results include it.
 */
import { expect, it } from "vitest";
import { useTempDatabase } from "../helpers/db";
import { rawDb } from "../../app/db.server";
import { linkClient } from "../../app/models/ingest.server";
import { attributedRevenueHeadline } from "../../app/experiments/results.server";
import { demoAddToCart, demoCheckout, newClientCookie, orderBody } from "../../app/storefront/demoCheckout.server";
import { orderFromRest, orderRows } from "../../app/shopify/mapping";
import { createExperiment, recordExposure, setExperimentStatus } from "../../app/models/experiment.server";
import { experimentResults } from "../../app/experiments/results.server";

useTempDatabase();
const SHOP = "facet-demo-checkout.myshopify.com";
const CLIENT = "0f4c2a9e-demo-client";

function seed(now: number) {
  const db = rawDb();
  const iso = new Date(now).toISOString();
  db.prepare(`INSERT INTO Shop (id, currency, locale, updatedAt) VALUES (?, 'EUR', 'de-DE', ?)`).run(SHOP, iso);
  const p = db.prepare(`INSERT INTO Product (shop, id, title, category, brand, price, salePrice, imageUrl, material, stockStatus, updatedAt) VALUES (?, ?, ?, 'rings', 'Facet', ?, ?, '', 'gold', 'in_stock', ?)`);
  p.run(SHOP, "P1", "Ring Aurora", 120, null, iso);
  p.run(SHOP, "P2", "Chain Lumen", 80, 64.5, iso);
  db.prepare(`INSERT INTO Customer (shop, id, updatedAt) VALUES (?, 'C000001', ?)`).run(SHOP, iso);
  linkClient(SHOP, CLIENT, "C000001"); // what the app proxy's signed logged_in_customer_id does on the demo storefront
  // The shopper clicked P1 in the home block a minute ago.
  db.prepare(`INSERT INTO RecommendationEvent (shop, recommendationId, type, productId, placement, position, customerId, clientId, at) VALUES (?, 'rec-1', 'click', 'P1', 'home', 1, 'C000001', ?, ?)`).run(
    SHOP,
    CLIENT,
    new Date(now - 60_000).toISOString(),
  );
}

const shopper = (cookies: string) => new Request("http://x/demo/storefront/cart", { method: "POST", headers: { Cookie: cookies } });

it("gives a first visit Shopify's client id cookie, once", () => {
  expect(newClientCookie(new Request("http://x/"))).toMatch(/^_shopify_y=[\w-]{36}; Path=\/; Max-Age=31536000; SameSite=Lax$/);
  expect(newClientCookie(shopper(`_shopify_y=${CLIENT}`))).toBeNull();
});

it("makes the orders/create body the webhook mapping reads: ids, customer, lines and total", () => {
  const body = orderBody({ orderId: "1764760000000123", at: new Date("2026-12-03T10:00:00Z"), currency: "EUR", customerId: "C000001", clientId: CLIENT, lines: [{ productId: "P1", title: "Ring", price: 120 }, { productId: "P2", title: "Chain", price: 64.5 }] });
  const { order, items } = orderRows(orderFromRest(JSON.parse(JSON.stringify(body))));
  expect(order).toMatchObject({ id: "1764760000000123", customerId: "C000001", totalAmount: 184.5, status: "completed", orderDate: "2026-12-03T10:00:00.000Z" });
  expect(items.map((i) => [i.productId, i.quantity, i.finalPrice])).toEqual([["P1", 1, 120], ["P2", 1, 64.5]]);
});

it("credits the add-to-cart to the click and places the order through the webhook path; the revenue is attributed", async () => {
  const now = Date.now();
  seed(now);
  const cookies = `_shopify_y=${CLIENT}; facet_demo_customer=C000001`;
  expect(await demoAddToCart(shopper(cookies), SHOP, "P1", now - 30_000)).toBe(1);
  const adds = rawDb().prepare(`SELECT recommendationId, productId, customerId FROM RecommendationEvent WHERE shop = ? AND type = 'add_to_cart'`).all(SHOP);
  expect(adds).toEqual([{ recommendationId: "rec-1", productId: "P1", customerId: "C000001" }]);
  expect(rawDb().prepare(`SELECT type, customerId FROM Interaction WHERE shop = ?`).all(SHOP)).toEqual([{ type: "add_to_cart", customerId: "C000001" }]);

  const before = await attributedRevenueHeadline(SHOP, 30, new Date(now));
  expect(before.revenue).toBe(0);
  // A running experiment on the home placement that the shopper was assigned to.
  const exp = await createExperiment(SHOP, {
    name: "Home: blend vs holdout",
    placement: "home",
    startAt: new Date(now - 86_400_000),
    variants: [
      { id: "blend", name: "Blend", weight: 1 },
      { id: "holdout", name: "Holdout", weight: 1, holdout: true },
    ],
  });
  await setExperimentStatus(SHOP, exp.id, "running", new Date(now - 86_400_000));
  recordExposure(SHOP, exp.id, "C000001", "blend", new Date(now - 120_000));
  const order = (await demoCheckout(shopper(cookies), SHOP, ["P1", "P2"], now))!;
  expect(order).toMatchObject({ total: 184.5, items: 2, customerId: "C000001", currency: "EUR", outcome: "applied" });
  // The sync job ran it as an orders/create delivery: the delivery is recorded, the order and its lines stored.
  expect(rawDb().prepare(`SELECT topic FROM WebhookDelivery WHERE shop = ?`).all(SHOP)).toEqual([{ topic: "ORDERS_CREATE" }]);
  expect(rawDb().prepare(`SELECT name, status FROM JobRun WHERE shop = ? AND name = 'sync'`).all(SHOP)).toEqual([{ name: "sync", status: "completed" }]);
  const after = await attributedRevenueHeadline(SHOP, 30, new Date(now + 1000));
  expect(after).toMatchObject({ revenue: 120, orders: 1 }); // P1 was clicked in a list, P2 was not
  // The experiment's results count the order for the shopper's variant.
  const results = await experimentResults(SHOP, exp.id);
  expect(results.variants.find((v) => v.variant === "blend")).toMatchObject({ shoppers: 1, convertedShoppers: 1, attributedRevenue: 120, revenue: 184.5 });
  // An empty cart places nothing.
  expect(await demoCheckout(shopper(cookies), SHOP, [], now)).toBeNull();
});
