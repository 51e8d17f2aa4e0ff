/**
 * Point 8 of issue 18: one API version, 2026-10, everywhere it is declared, and the webhook
 * fixtures in the shapes that version delivers (the fields Facet reads are present; the variant
 * fields Shopify removed from product webhooks in 2024-07 are absent; the product carries `media`
 * (2024-07+) and `has_variants_that_requires_components` (2024-10+)). Mapping a 2026-10 product
 * body without `images` still yields its photos (from `media`).
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { LIBRARY_API_VERSION, SHOPIFY_API_VERSION } from "../../app/shopify/apiVersion";
import { ADMIN_API_VERSION } from "../../app/jobs/bulkSync.server";
import { webhookRequest } from "../../app/shopify/hmac";
import { DEFAULT_MAPPING, productFromRest, productRow } from "../../app/shopify/mapping";
import { fixture } from "./helpers";

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..");
const json = (f: string) => JSON.parse(fixture(f)) as Record<string, any>;

/** Keys each webhook body must carry: the ones app/shopify/mapping.ts and the jobs read. */
const REQUIRED: Record<string, string[]> = {
  "webhook-product.json": ["id", "title", "handle", "body_html", "vendor", "product_type", "tags", "status", "updated_at", "variants", "images", "media", "has_variants_that_requires_components", "admin_graphql_api_id"],
  "webhook-order.json": ["id", "email", "created_at", "updated_at", "cancelled_at", "financial_status", "currency", "total_price", "total_discounts", "customer", "line_items", "refunds"],
  "webhook-customer.json": ["id", "email", "created_at", "updated_at", "tags", "locale", "default_address", "email_marketing_consent"],
  "webhook-refund.json": ["id", "order_id", "created_at", "refund_line_items"],
  "webhook-inventory-level.json": ["inventory_item_id", "location_id", "available", "updated_at"],
  "webhook-checkout.json": ["id", "token", "email", "created_at", "updated_at", "completed_at", "currency", "line_items", "customer", "abandoned_checkout_url"],
  "webhook-app-uninstalled.json": ["id", "domain", "myshopify_domain"],
  "webhook-customers-data-request.json": ["shop_id", "shop_domain", "customer", "orders_requested", "data_request"],
  "webhook-customers-redact.json": ["shop_id", "shop_domain", "customer", "orders_to_redact"],
  "webhook-shop-redact.json": ["shop_id", "shop_domain"],
};
/** Removed from product webhook variants as of 2024-07 ("Product Variant Field Cleanup"). */
const REMOVED_VARIANT_FIELDS = ["fulfillment_service", "inventory_management", "grams", "weight", "weight_unit", "requires_shipping"];

describe("Shopify API version 2026-10", () => {
  it("shopify.app.toml's webhook api_version is the one constant the app uses", () => {
    expect(SHOPIFY_API_VERSION).toBe("2026-10");
    const toml = fs.readFileSync(path.join(ROOT, "shopify.app.toml"), "utf8");
    const declared = [...toml.matchAll(/^\s*api_version\s*=\s*"([^"]+)"/gm)].map((m) => m[1]);
    expect(declared).toEqual([SHOPIFY_API_VERSION]);
    expect(ADMIN_API_VERSION).toBe(SHOPIFY_API_VERSION);
    expect(String(LIBRARY_API_VERSION)).toBe(SHOPIFY_API_VERSION);
    expect(webhookRequest({ topic: "products/update", shop: "a.myshopify.com", body: "{}", secret: "s" }).headers.get("X-Shopify-API-Version")).toBe("2026-10");
  });

  it("no other version string is left in app/ or the toml", () => {
    const hits: string[] = [];
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (/\.(ts|tsx)$/.test(e.name) && /(October24|"20\d\d-(01|04|07|10)")/.test(fs.readFileSync(p, "utf8")) && !p.endsWith("apiVersion.ts")) hits.push(p);
      }
    };
    walk(path.join(ROOT, "app"));
    expect(hits).toEqual([]);
  });

  it("the pinned library lacks October26, and the decision record says what we do about it", async () => {
    const { ApiVersion } = await import("@shopify/shopify-app-remix/server");
    const known = Object.values(ApiVersion) as string[];
    // When the library gains 2026-10, LIBRARY_API_VERSION should become ApiVersion.October26 (0180).
    expect(known.includes(SHOPIFY_API_VERSION)).toBe(false);
    const record = fs.readdirSync(path.join(ROOT, "docs/decisions")).find((f) => f.startsWith("0180-"));
    expect(record, "docs/decisions/0180-*.md").toBeTruthy();
    expect(fs.readFileSync(path.join(ROOT, "docs/decisions", record!), "utf8")).toContain("October26");
  });

  it.each(Object.entries(REQUIRED))("%s carries the fields of the 2026-10 payload that Facet reads", (file, keys) => {
    const body = json(file);
    for (const k of keys) expect(body, `${file}: ${k}`).toHaveProperty(k);
  });

  it("the product fixture has the 2026-10 variant and media shapes", () => {
    const p = json("webhook-product.json");
    for (const v of p.variants) {
      for (const k of REMOVED_VARIANT_FIELDS) expect(v, `variant ${v.id}: ${k} left product webhooks in 2024-07`).not.toHaveProperty(k);
      for (const k of ["id", "price", "compare_at_price", "inventory_item_id", "inventory_quantity", "inventory_policy", "option1"]) expect(v).toHaveProperty(k);
    }
    expect(p.media.length).toBeGreaterThan(0);
    for (const m of p.media) {
      expect(m).toMatchObject({ media_content_type: expect.any(String), admin_graphql_api_id: expect.stringMatching(/^gid:\/\/shopify\/MediaImage\//) });
      expect(typeof m.preview_image.src).toBe("string");
    }
    expect(typeof p.has_variants_that_requires_components).toBe("boolean");
  });

  it("a product body without `images` takes its photos from `media`", () => {
    const body = json("webhook-product.json");
    const withImages = productRow(productFromRest(body), DEFAULT_MAPPING).product;
    delete body.images;
    delete body.image;
    const fromMedia = productRow(productFromRest(body), DEFAULT_MAPPING).product;
    expect(fromMedia.imageUrl).toBe("https://cdn.example.com/ring-gold-1.jpg");
    expect(fromMedia.additionalImages).toBe(withImages.additionalImages);
    expect(fromMedia.stockStatus).toBe(withImages.stockStatus);
  });
});
