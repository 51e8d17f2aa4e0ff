/** Shopify resources -> rows: webhook (REST) and bulk (GraphQL) shapes, and the merchant's mapping setting. */
import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { reconstructFile } from "../../app/shopify/jsonl";
import {
  DEFAULT_MAPPING,
  customerFromRest,
  customerRow,
  orderFromRest,
  orderRows,
  productFromBulk,
  productFromRest,
  productRow,
  resolveMapping,
} from "../../app/shopify/mapping";
import { hasShared, sharedPath } from "../helpers/requires";
import { fixture, fixturePath } from "./helpers";

describe("mapping", () => {
  it("maps a products/update body: prices, sale, images, tags, options, stock", () => {
    const { product, items } = productRow(productFromRest(JSON.parse(fixture("webhook-product.json"))), DEFAULT_MAPPING);
    expect(product).toMatchObject({
      id: "8000000000001",
      title: "Rhomberg Partnerring Gold",
      description: "Zeitloser Partnerring aus Gelbgold.",
      category: "rings",
      brand: "Rhomberg",
      price: 119,
      salePrice: 89,
      imageUrl: "https://cdn.example.com/ring-gold-1.jpg",
      additionalImages: "https://cdn.example.com/ring-gold-2.jpg",
      material: "Gold",
      stoneType: "Diamant",
      color: "gelb",
      gender: "female",
      collection: null,
      stockStatus: "in_stock",
      sourceUpdatedAt: "2024-06-01T10:00:00.000Z",
      deleted: false,
    });
    expect(items.map((i) => [i.id, i.available])).toEqual([
      ["9100000000101", 4],
      ["9100000000102", 0],
    ]);
  });

  it("maps a bulk product: metafields win over options, list metafields, collections, drafts", async () => {
    const { roots } = await reconstructFile(fixturePath("bulk-products.jsonl"));
    const [ring, chain, draft] = roots.map((n) => productRow(productFromBulk(n), DEFAULT_MAPPING).product);
    expect(ring).toMatchObject({ material: "Gold", color: "gelb", collection: "Classic", gender: "female", stoneType: "Diamant", price: 119, salePrice: 89 });
    expect(chain).toMatchObject({ material: "Silber", color: "weiss", collection: null, stockStatus: "preorder", imageUrl: "" });
    expect(draft).toMatchObject({ deleted: true, category: "uncategorized" });
  });

  it("follows the shop's mapping setting over the defaults", async () => {
    const mapping = resolveMapping({ material: { metafields: [], tagPrefixes: ["metall="] }, collectionFromCollections: false, defaultCategory: "schmuck", bogus: 1 });
    const body = JSON.parse(fixture("webhook-product.json"));
    body.tags = "metall=Platin";
    body.product_type = "";
    const { product } = productRow(productFromRest(body), mapping);
    expect(product.material).toBe("Platin");
    expect(product.category).toBe("schmuck");
    expect(mapping.color).toEqual(DEFAULT_MAPPING.color);
  });

  it("maps customers (consent, country, segment) and orders (status, items net of refunds)", () => {
    const c = customerRow(customerFromRest(JSON.parse(fixture("webhook-customer.json"))), DEFAULT_MAPPING, new Date("2024-06-01T00:00:00Z"));
    expect(c).toMatchObject({ id: "7000000000777", country: "AT", marketingConsent: true, segment: "regular", totalOrders: 2, avgOrderValue: 115, preferredLanguage: "de" });
    expect(c.emailHash).toMatch(/^[0-9a-f]{64}$/);
    const body = JSON.parse(fixture("webhook-order.json"));
    body.refunds = [JSON.parse(fixture("webhook-refund.json"))];
    const { order, items } = orderRows(orderFromRest(body));
    expect(order).toMatchObject({ id: "6000000000777", customerId: "7000000000777", status: "completed", numItems: 1, occasion: "anniversary", shippingMethod: "Standard" });
    expect(items.map((i) => i.productId)).toEqual(["8000000000001"]);
  });

  it.runIf(hasShared("fixtures/shopify/rest-resource-samples/order.json"))("reads Shopify's own sample order and customer", () => {
    const o = orderRows(orderFromRest(JSON.parse(fs.readFileSync(sharedPath("fixtures/shopify/rest-resource-samples/order.json"), "utf8"))));
    expect(o.order.id).toBe("450789469");
    expect(o.order.status).toBe("cancelled");
    const p = productRow(productFromRest(JSON.parse(fs.readFileSync(sharedPath("fixtures/shopify/rest-resource-samples/product.json"), "utf8"))), DEFAULT_MAPPING);
    expect(p.product.id).toBe("632910392");
    expect(p.items.length).toBeGreaterThan(0);
  });
});
