/**
 * Shopify resources -> Facet rows (prisma/schema.prisma). Two input shapes reach us: the Admin
 * GraphQL bulk output (camelCase, gids, nodes rebuilt by jsonl.ts) and REST-shaped webhook bodies
 * (snake_case, numeric ids). Each is first normalised to one `Shopify*` shape, then mapped once.
 *
 * Jewellery attributes (material, color, stone_type, gender, collection) are not Shopify fields:
 * merchants keep them in metafields, tags ("material:Gold") or variant options ("Farbe"). Where a
 * shop keeps them is the setting "shopify.mapping" (ShopifyMapping below), merged over defaults.
 * An attribute the payload cannot tell (a webhook body carries no metafields unless subscribed)
 * comes out as null, and the writer keeps the value already stored instead of erasing it.
 *
 * Pure: no I/O, no clock.
 */
import crypto from "node:crypto";
import { childrenOf, gidId, type BulkNode } from "./jsonl";

// ---------------------------------------------------------------- the mapping setting

/** Where one attribute is found; the first source that yields a value wins, in this order. */
export interface AttributeRule {
  /** "namespace.key" of product metafields, e.g. "custom.material". */
  metafields: string[];
  /** Tag prefixes, matched case-insensitively: "material:" turns tag "material:Gold" into "Gold". */
  tagPrefixes: string[];
  /** Variant option names (case-insensitive): "Farbe" takes the first variant's value. */
  optionNames: string[];
  /** Plain tags that imply a value (case-insensitive keys): {"damen": "female"}. */
  tagValues: Record<string, string>;
}

export interface ShopifyMapping {
  material: AttributeRule;
  color: AttributeRule;
  stone_type: AttributeRule;
  gender: AttributeRule;
  /** Besides the rule, the first Shopify collection the product is in, when `collectionFromCollections`. */
  collection: AttributeRule;
  collectionFromCollections: boolean;
  /** Customer demographics, where the shop keeps them. */
  customerGender: AttributeRule;
  /** Metafields holding a birth date (YYYY-MM-DD), for age and age group. */
  customerBirthDate: string[];
  /** Value stored when a required attribute (material) is unknown on a new product. */
  unknownMaterial: string;
  /** Category: the product type, lower-cased; products without one get this. */
  defaultCategory: string;
}

const rule = (r: Partial<AttributeRule>): AttributeRule => ({ metafields: [], tagPrefixes: [], optionNames: [], tagValues: {}, ...r });

/** The defaults: German and English names, as a DACH jewellery store keeps them. */
export const DEFAULT_MAPPING: ShopifyMapping = {
  material: rule({
    metafields: ["custom.material", "custom.materials", "facts.material"],
    tagPrefixes: ["material:", "material_", "werkstoff:"],
    optionNames: ["Material", "Metall", "Metal"],
  }),
  color: rule({
    metafields: ["custom.color", "custom.colour", "custom.farbe"],
    tagPrefixes: ["color:", "colour:", "farbe:"],
    optionNames: ["Color", "Colour", "Farbe"],
  }),
  stone_type: rule({
    metafields: ["custom.stone", "custom.stone_type", "custom.gemstone", "custom.stein"],
    tagPrefixes: ["stone:", "stone_type:", "gemstone:", "stein:"],
    optionNames: ["Stone", "Stein", "Gemstone"],
  }),
  gender: rule({
    metafields: ["custom.gender", "custom.target_gender"],
    tagPrefixes: ["gender:", "geschlecht:"],
    tagValues: { damen: "female", women: "female", herren: "male", men: "male", unisex: "unisex" },
  }),
  collection: rule({ metafields: ["custom.collection", "custom.kollektion"], tagPrefixes: ["collection:", "kollektion:"] }),
  collectionFromCollections: true,
  customerGender: rule({ metafields: ["custom.gender", "facts.gender"], tagPrefixes: ["gender:"] }),
  customerBirthDate: ["custom.birth_date", "custom.birthday", "facts.birth_date"],
  unknownMaterial: "unknown",
  defaultCategory: "uncategorized",
};

/** Merges a shop's stored setting (partial, possibly stale) over the defaults; unknown keys are ignored. */
export function resolveMapping(stored: unknown): ShopifyMapping {
  const out: ShopifyMapping = structuredClone(DEFAULT_MAPPING);
  if (!stored || typeof stored !== "object") return out;
  const s = stored as Record<string, unknown>;
  for (const key of ["material", "color", "stone_type", "gender", "collection", "customerGender"] as const) {
    const v = s[key];
    if (v && typeof v === "object") {
      const r = v as Partial<AttributeRule>;
      out[key] = {
        metafields: Array.isArray(r.metafields) ? r.metafields.map(String) : out[key].metafields,
        tagPrefixes: Array.isArray(r.tagPrefixes) ? r.tagPrefixes.map(String) : out[key].tagPrefixes,
        optionNames: Array.isArray(r.optionNames) ? r.optionNames.map(String) : out[key].optionNames,
        tagValues: r.tagValues && typeof r.tagValues === "object" ? { ...r.tagValues } : out[key].tagValues,
      };
    }
  }
  if (typeof s.collectionFromCollections === "boolean") out.collectionFromCollections = s.collectionFromCollections;
  if (Array.isArray(s.customerBirthDate)) out.customerBirthDate = s.customerBirthDate.map(String);
  if (typeof s.unknownMaterial === "string") out.unknownMaterial = s.unknownMaterial;
  if (typeof s.defaultCategory === "string") out.defaultCategory = s.defaultCategory;
  return out;
}

// ---------------------------------------------------------------- normalised shapes

export interface ShopifyVariant {
  id: string;
  price: number | null;
  compareAtPrice: number | null;
  inventoryQuantity: number | null;
  inventoryItemId: string | null;
  continueSelling: boolean;
  tracked: boolean;
  options: { name: string; value: string }[];
}

export interface ShopifyProduct {
  id: string;
  gid: string;
  title: string;
  handle: string | null;
  description: string | null;
  productType: string | null;
  vendor: string | null;
  tags: string[];
  status: string | null; // active | draft | archived (lower-cased)
  createdAt: string | null;
  updatedAt: string | null;
  images: string[];
  variants: ShopifyVariant[];
  /** Collection titles, when the payload carries them (bulk output); null when it does not. */
  collections: string[] | null;
  /** "namespace.key" -> value; null when the payload carries none (webhook bodies). */
  metafields: Map<string, string> | null;
}

export interface ShopifyCustomer {
  id: string;
  gid: string;
  email: string | null;
  createdAt: string | null;
  updatedAt: string | null;
  tags: string[];
  ordersCount: number | null;
  amountSpent: number | null;
  locale: string | null;
  marketingConsent: boolean | null;
  country: string | null;
  province: string | null;
  city: string | null;
  zip: string | null;
  metafields: Map<string, string> | null;
}

export interface ShopifyLineItem {
  id: string;
  productId: string | null;
  quantity: number;
  unitPrice: number;
  discount: number;
}

export interface ShopifyOrder {
  id: string;
  gid: string;
  customerId: string | null;
  email: string | null;
  createdAt: string;
  updatedAt: string | null;
  cancelledAt: string | null;
  financialStatus: string | null; // lower-cased: paid | pending | refunded | partially_refunded | ...
  fulfillmentStatus: string | null;
  totalPrice: number;
  totalDiscounts: number | null;
  gateway: string | null;
  shippingTitle: string | null;
  tags: string[];
  occasion: string | null;
  lineItems: ShopifyLineItem[];
  /** Refunded quantity per line item id (from the order's own `refunds`, when it carries them). */
  refunded: Map<string, number>;
}

// ---------------------------------------------------------------- small readers

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | null => (typeof v === "string" && v !== "" ? v : typeof v === "number" || typeof v === "bigint" ? String(v) : null);
const num = (v: unknown): number | null => {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))) return Number(v);
  return null;
};
/** A REST id (number or string) or a gid -> the numeric id as a string. */
export const idOf = (v: unknown): string | null => {
  const s = str(v);
  return s === null ? null : s.startsWith("gid://") ? gidId(s) : s;
};
const splitTags = (v: unknown): string[] =>
  (Array.isArray(v) ? v.map(String) : typeof v === "string" ? v.split(",") : []).map((t) => t.trim()).filter(Boolean);
const money = (v: unknown): number | null => num(obj(obj(v).shopMoney).amount);

function metafieldMap(list: unknown[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const raw of list) {
    const f = obj(raw);
    const ns = str(f.namespace);
    const key = str(f.key);
    const value = str(f.value);
    if (ns && key && value !== null) m.set(`${ns}.${key}`.toLowerCase(), value);
  }
  return m;
}

// ---------------------------------------------------------------- REST (webhook bodies)

export function productFromRest(body: unknown): ShopifyProduct {
  const p = obj(body);
  const id = idOf(p.id);
  if (!id) throw new Error("product payload has no id");
  const optionNames = arr(p.options).map((o) => str(obj(o).name) ?? "");
  return {
    id,
    gid: str(p.admin_graphql_api_id) ?? `gid://shopify/Product/${id}`,
    title: str(p.title) ?? "",
    handle: str(p.handle),
    description: str(p.body_html),
    productType: str(p.product_type),
    vendor: str(p.vendor),
    tags: splitTags(p.tags),
    status: str(p.status)?.toLowerCase() ?? null,
    createdAt: str(p.created_at),
    updatedAt: str(p.updated_at),
    // `images` where the payload has them; else the image `media` (product webhooks carry it since 2024-07).
    images: (arr(p.images).length
      ? arr(p.images).map((i) => str(obj(i).src))
      : arr(p.media).filter((m) => str(obj(m).media_content_type) === "IMAGE").map((m) => str(obj(obj(m).preview_image).src))
    ).filter((s): s is string => !!s),
    variants: arr(p.variants).map((raw) => {
      const v = obj(raw);
      return {
        id: idOf(v.id) ?? "",
        price: num(v.price),
        compareAtPrice: num(v.compare_at_price),
        inventoryQuantity: num(v.inventory_quantity),
        inventoryItemId: idOf(v.inventory_item_id),
        continueSelling: str(v.inventory_policy) === "continue",
        // inventory_management left variant payloads in 2024-07 (tracking is on the inventory item): absent = tracked.
        tracked: v.inventory_management === undefined ? true : v.inventory_management !== null,
        options: [v.option1, v.option2, v.option3]
          .map((value, i) => ({ name: optionNames[i] ?? "", value: str(value) ?? "" }))
          .filter((o) => o.name && o.value),
      };
    }),
    collections: null,
    metafields: Array.isArray(p.metafields) ? metafieldMap(p.metafields) : null,
  };
}

export function customerFromRest(body: unknown): ShopifyCustomer {
  const c = obj(body);
  const id = idOf(c.id);
  if (!id) throw new Error("customer payload has no id");
  const address = obj(c.default_address);
  const consent = obj(c.email_marketing_consent);
  return {
    id,
    gid: str(c.admin_graphql_api_id) ?? `gid://shopify/Customer/${id}`,
    email: str(c.email),
    createdAt: str(c.created_at),
    updatedAt: str(c.updated_at),
    tags: splitTags(c.tags),
    ordersCount: num(c.orders_count),
    amountSpent: num(c.total_spent),
    locale: str(c.locale),
    marketingConsent: typeof consent.state === "string" ? consent.state === "subscribed" : typeof c.accepts_marketing === "boolean" ? c.accepts_marketing : null,
    country: str(address.country_code),
    province: str(address.province),
    city: str(address.city),
    zip: str(address.zip),
    metafields: Array.isArray(c.metafields) ? metafieldMap(c.metafields) : null,
  };
}

function refundedFromRest(refunds: unknown[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of refunds) {
    for (const raw of arr(obj(r).refund_line_items)) {
      const rl = obj(raw);
      const lineId = idOf(rl.line_item_id) ?? idOf(obj(rl.line_item).id);
      if (lineId) m.set(lineId, (m.get(lineId) ?? 0) + (num(rl.quantity) ?? 0));
    }
  }
  return m;
}

export function orderFromRest(body: unknown): ShopifyOrder {
  const o = obj(body);
  const id = idOf(o.id);
  if (!id) throw new Error("order payload has no id");
  const notes = arr(o.note_attributes).map(obj);
  const occasion = notes.find((n) => /^(occasion|anlass)$/i.test(str(n.name) ?? ""));
  return {
    id,
    gid: str(o.admin_graphql_api_id) ?? `gid://shopify/Order/${id}`,
    customerId: idOf(obj(o.customer).id),
    email: str(o.email) ?? str(o.contact_email),
    createdAt: str(o.processed_at) ?? str(o.created_at) ?? "",
    updatedAt: str(o.updated_at),
    cancelledAt: str(o.cancelled_at),
    financialStatus: str(o.financial_status)?.toLowerCase() ?? null,
    fulfillmentStatus: str(o.fulfillment_status)?.toLowerCase() ?? null,
    totalPrice: num(o.current_total_price) ?? num(o.total_price) ?? 0,
    totalDiscounts: num(o.total_discounts),
    gateway: str(arr(o.payment_gateway_names)[0]),
    shippingTitle: str(obj(arr(o.shipping_lines)[0]).title),
    tags: splitTags(o.tags),
    occasion: occasion ? str(occasion.value) : null,
    lineItems: arr(o.line_items).map((raw) => {
      const li = obj(raw);
      return {
        id: idOf(li.id) ?? "",
        productId: idOf(li.product_id),
        quantity: num(li.quantity) ?? 0,
        unitPrice: num(li.price) ?? 0,
        discount: num(li.total_discount) ?? 0,
      };
    }),
    refunded: refundedFromRest(arr(o.refunds)),
  };
}

/** refunds/create: the order it belongs to and the refunded quantity per line item. */
export function refundFromRest(body: unknown): { id: string; orderId: string; createdAt: string | null; refunded: Map<string, number> } {
  const r = obj(body);
  const id = idOf(r.id);
  const orderId = idOf(r.order_id);
  if (!id || !orderId) throw new Error("refund payload needs id and order_id");
  return { id, orderId, createdAt: str(r.created_at) ?? str(r.processed_at), refunded: refundedFromRest([r]) };
}

// ---------------------------------------------------------------- GraphQL bulk output

export function productFromBulk(node: BulkNode): ShopifyProduct {
  const p = node.data;
  const metafields = metafieldMap(childrenOf(node, "Metafield").map((n) => n.data));
  const images = [
    ...childrenOf(node, "ProductImage").map((n) => str(n.data.url) ?? str(n.data.src)),
    ...childrenOf(node, "MediaImage").map((n) => str(obj(n.data.image).url)),
  ].filter((s): s is string => !!s);
  const featured = str(obj(p.featuredImage).url);
  if (featured && !images.includes(featured)) images.unshift(featured);
  return {
    id: gidId(node.id),
    gid: node.id,
    title: str(p.title) ?? "",
    handle: str(p.handle),
    description: str(p.description) ?? str(p.descriptionHtml),
    productType: str(p.productType),
    vendor: str(p.vendor),
    tags: splitTags(p.tags),
    status: str(p.status)?.toLowerCase() ?? null,
    createdAt: str(p.createdAt),
    updatedAt: str(p.updatedAt),
    images,
    variants: childrenOf(node, "ProductVariant").map((n) => {
      const v = n.data;
      const item = obj(v.inventoryItem);
      return {
        id: gidId(n.id),
        price: num(v.price),
        compareAtPrice: num(v.compareAtPrice),
        inventoryQuantity: num(v.inventoryQuantity),
        inventoryItemId: idOf(item.id),
        continueSelling: str(v.inventoryPolicy) === "CONTINUE",
        tracked: item.tracked === undefined ? true : item.tracked === true,
        options: arr(v.selectedOptions).map((o) => ({ name: str(obj(o).name) ?? "", value: str(obj(o).value) ?? "" })),
      };
    }),
    collections: childrenOf(node, "Collection").map((n) => str(n.data.title)).filter((s): s is string => !!s),
    metafields,
  };
}

export function customerFromBulk(node: BulkNode): ShopifyCustomer {
  const c = node.data;
  const address = obj(c.defaultAddress);
  const consent = obj(c.emailMarketingConsent);
  return {
    id: gidId(node.id),
    gid: node.id,
    email: str(c.email),
    createdAt: str(c.createdAt),
    updatedAt: str(c.updatedAt),
    tags: splitTags(c.tags),
    ordersCount: num(c.numberOfOrders),
    amountSpent: num(obj(c.amountSpent).amount),
    locale: str(c.locale),
    marketingConsent: typeof consent.marketingState === "string" ? consent.marketingState === "SUBSCRIBED" : null,
    country: str(address.countryCodeV2) ?? str(address.countryCode),
    province: str(address.province),
    city: str(address.city),
    zip: str(address.zip),
    metafields: metafieldMap(childrenOf(node, "Metafield").map((n) => n.data)),
  };
}

export function orderFromBulk(node: BulkNode): ShopifyOrder {
  const o = node.data;
  const occasion = arr(o.customAttributes).map(obj).find((a) => /^(occasion|anlass)$/i.test(str(a.key) ?? ""));
  return {
    id: gidId(node.id),
    gid: node.id,
    customerId: idOf(obj(o.customer).id),
    email: str(o.email),
    createdAt: str(o.processedAt) ?? str(o.createdAt) ?? "",
    updatedAt: str(o.updatedAt),
    cancelledAt: str(o.cancelledAt),
    financialStatus: str(o.displayFinancialStatus)?.toLowerCase() ?? null,
    fulfillmentStatus: str(o.displayFulfillmentStatus)?.toLowerCase() ?? null,
    totalPrice: money(o.currentTotalPriceSet) ?? money(o.totalPriceSet) ?? 0,
    totalDiscounts: money(o.totalDiscountsSet),
    gateway: str(arr(o.paymentGatewayNames)[0]),
    shippingTitle: str(obj(o.shippingLine).title),
    tags: splitTags(o.tags),
    occasion: occasion ? str(occasion.value) : null,
    lineItems: childrenOf(node, "LineItem").map((n) => {
      const li = n.data;
      const unit = money(li.originalUnitPriceSet) ?? 0;
      const discounted = money(li.discountedUnitPriceSet) ?? unit;
      const quantity = num(li.quantity) ?? 0;
      return { id: gidId(n.id), productId: idOf(obj(li.product).id), quantity, unitPrice: unit, discount: Math.max(0, (unit - discounted) * quantity) };
    }),
    refunded: new Map(),
  };
}

// ---------------------------------------------------------------- attributes

function fromOptions(variants: ShopifyVariant[], names: string[]): string | null {
  const wanted = new Set(names.map((n) => n.toLowerCase()));
  for (const v of variants) for (const o of v.options) if (wanted.has(o.name.toLowerCase()) && o.value) return o.value;
  return null;
}

/** A metafield value may be JSON (a list type): take its first text entry; references (gids) are skipped. */
function metafieldText(value: string): string | null {
  let v: unknown = value;
  if (value.startsWith("[") || value.startsWith("{")) {
    try {
      v = JSON.parse(value);
    } catch {
      v = value;
    }
  }
  if (Array.isArray(v)) v = v.find((x) => typeof x === "string" && !x.startsWith("gid://"));
  if (typeof v !== "string") return null;
  const t = v.trim();
  return t && !t.startsWith("gid://") ? t : null;
}

/**
 * Applies a rule: metafields, then prefixed tags, then variant options, then implied tags.
 * Returns null when the payload cannot tell (so the stored value is kept).
 */
export function attribute(r: AttributeRule, tags: string[], metafields: Map<string, string> | null, variants: ShopifyVariant[] = []): string | null {
  for (const key of r.metafields) {
    const v = metafields?.get(key.toLowerCase());
    const t = v === undefined ? null : metafieldText(v);
    if (t) return t;
  }
  for (const prefix of r.tagPrefixes) {
    const p = prefix.toLowerCase();
    const tag = tags.find((t) => t.toLowerCase().startsWith(p) && t.length > p.length);
    if (tag) return tag.slice(p.length).trim();
  }
  const option = fromOptions(variants, r.optionNames);
  if (option) return option;
  const implied = Object.entries(r.tagValues);
  if (implied.length) {
    const lower = new Set(tags.map((t) => t.toLowerCase()));
    for (const [tag, value] of implied) if (lower.has(tag.toLowerCase())) return value;
  }
  return null;
}

// ---------------------------------------------------------------- rows

/** The Product columns a Shopify product sets. Nullable attributes: null = keep the stored value. */
export interface ProductRow {
  id: string;
  shopifyGid: string;
  handle: string | null;
  title: string;
  description: string | null;
  category: string;
  brand: string;
  price: number;
  salePrice: number | null;
  imageUrl: string;
  additionalImages: string | null;
  material: string | null;
  color: string | null;
  gender: string | null;
  stoneType: string | null;
  collection: string | null;
  stockStatus: "in_stock" | "out_of_stock" | "preorder";
  createdDate: string | null;
  tags: string | null;
  sourceUpdatedAt: string | null;
  /** Draft and archived products are stored deleted: they cannot be recommended. */
  deleted: boolean;
}

export interface InventoryItemRow {
  id: string;
  productId: string;
  variantId: string;
  available: number | null;
  continueSelling: boolean;
  tracked: boolean;
}

/** Block tags become spaces, inline tags (strong, em, span) vanish: "aus <b>Gold</b>." -> "aus Gold.". */
const stripHtml = (html: string | null) =>
  html
    ? html
        .replace(/<\/?(p|br|div|li|ul|ol|h\d|tr|td|table)\b[^>]*>/gi, " ")
        .replace(/<[^>]*>/g, "")
        .replace(/\s+/g, " ")
        .trim() || null
    : null;
const normaliseGender = (v: string | null): string | null => {
  if (!v) return null;
  const t = v.trim().toLowerCase();
  if (/^(f|female|women|woman|damen|dame|frau|frauen|weiblich)$/.test(t)) return "female";
  if (/^(m|male|men|man|herren|herr|mann|männer|maennlich|männlich)$/.test(t)) return "male";
  if (/^(unisex|all|alle)$/.test(t)) return "unisex";
  return t;
};

/** Stock from variants: any sellable unit -> in_stock; none but "continue selling" -> preorder. */
export function stockStatus(variants: { available: number | null; continueSelling: boolean; tracked: boolean }[]): ProductRow["stockStatus"] {
  if (variants.length === 0) return "out_of_stock";
  if (variants.some((v) => !v.tracked || (v.available ?? 0) > 0)) return "in_stock";
  if (variants.some((v) => v.continueSelling)) return "preorder";
  return "out_of_stock";
}

export function productRow(p: ShopifyProduct, m: ShopifyMapping): { product: ProductRow; items: InventoryItemRow[] } {
  const prices = p.variants.map((v) => v.price).filter((x): x is number => x !== null);
  const price = prices.length ? Math.min(...prices) : 0;
  const cheapest = p.variants.find((v) => v.price === price);
  const compare = cheapest?.compareAtPrice ?? null;
  const onSale = compare !== null && compare > price;
  const items: InventoryItemRow[] = p.variants
    .filter((v) => v.inventoryItemId)
    .map((v) => ({ id: v.inventoryItemId!, productId: p.id, variantId: v.id, available: v.inventoryQuantity, continueSelling: v.continueSelling, tracked: v.tracked }));
  const collection =
    attribute(m.collection, p.tags, p.metafields) ?? (m.collectionFromCollections && p.collections?.length ? p.collections[0] : null);
  return {
    product: {
      id: p.id,
      shopifyGid: p.gid,
      handle: p.handle,
      title: p.title,
      description: stripHtml(p.description),
      category: (p.productType ?? "").trim().toLowerCase() || m.defaultCategory,
      brand: p.vendor ?? "",
      price: onSale ? compare! : price,
      salePrice: onSale ? price : null,
      imageUrl: p.images[0] ?? "",
      additionalImages: p.images.length > 1 ? p.images.slice(1).join(",") : null,
      material: attribute(m.material, p.tags, p.metafields, p.variants),
      color: attribute(m.color, p.tags, p.metafields, p.variants),
      gender: normaliseGender(attribute(m.gender, p.tags, p.metafields, p.variants)),
      stoneType: attribute(m.stone_type, p.tags, p.metafields, p.variants),
      collection,
      stockStatus: stockStatus(p.variants.map((v) => ({ available: v.inventoryQuantity, continueSelling: v.continueSelling, tracked: v.tracked }))),
      createdDate: p.createdAt ? new Date(p.createdAt).toISOString() : null,
      tags: p.tags.length ? p.tags.join(",") : null,
      sourceUpdatedAt: p.updatedAt ? new Date(p.updatedAt).toISOString() : null,
      deleted: p.status !== null && p.status !== "active",
    },
    items,
  };
}

export interface CustomerRow {
  id: string;
  shopifyGid: string;
  email: string | null;
  emailHash: string | null;
  registrationDate: string | null;
  gender: string | null;
  age: number | null;
  ageGroup: string | null;
  country: string | null;
  state: string | null;
  city: string | null;
  postalCode: string | null;
  preferredLanguage: string | null;
  segment: string | null;
  lifetimeValue: number | null;
  totalOrders: number | null;
  avgOrderValue: number | null;
  marketingConsent: boolean | null;
  sourceUpdatedAt: string | null;
}

export const hashEmail = (email: string) => crypto.createHash("sha256").update(email.trim().toLowerCase()).digest("hex");

export function ageGroupOf(age: number | null): string | null {
  if (age === null) return null;
  if (age < 26) return "18-25";
  if (age < 36) return "26-35";
  if (age < 46) return "36-45";
  return "46+";
}

/** Segment from order history, as the seed defines them (first-time | regular | vip). */
export function segmentOf(orders: number | null, spent: number | null): string | null {
  if (orders === null) return null;
  if (orders >= 5 || (spent ?? 0) >= 1000) return "vip";
  if (orders >= 2) return "regular";
  if (orders === 1) return "first-time";
  return null;
}

/** `now` is a parameter (the age needs a clock); callers pass the sync time. */
export function customerRow(c: ShopifyCustomer, m: ShopifyMapping, now: Date): CustomerRow {
  let age: number | null = null;
  for (const key of m.customerBirthDate) {
    const v = c.metafields?.get(key.toLowerCase());
    const t = v ? Date.parse(v) : NaN;
    if (Number.isFinite(t)) {
      age = Math.floor((now.getTime() - t) / (365.25 * 24 * 3600 * 1000));
      break;
    }
  }
  const spent = c.amountSpent;
  const orders = c.ordersCount;
  return {
    id: c.id,
    shopifyGid: c.gid,
    email: c.email,
    emailHash: c.email ? hashEmail(c.email) : null,
    registrationDate: c.createdAt ? new Date(c.createdAt).toISOString() : null,
    gender: normaliseGender(attribute(m.customerGender, c.tags, c.metafields)),
    age,
    ageGroup: ageGroupOf(age),
    country: c.country,
    state: c.province,
    city: c.city,
    postalCode: c.zip,
    preferredLanguage: c.locale ? c.locale.split(/[-_]/)[0].toLowerCase() : null,
    segment: segmentOf(orders, spent),
    lifetimeValue: spent,
    totalOrders: orders,
    avgOrderValue: orders && spent !== null ? spent / orders : null,
    marketingConsent: c.marketingConsent,
    sourceUpdatedAt: c.updatedAt ? new Date(c.updatedAt).toISOString() : null,
  };
}

export interface OrderRow {
  id: string;
  customerId: string | null;
  email: string | null;
  orderDate: string;
  status: "completed" | "pending" | "cancelled" | "returned";
  totalAmount: number;
  discountAmount: number | null;
  paymentMethod: string | null;
  shippingMethod: string | null;
  numItems: number;
  isGift: boolean | null;
  occasion: string | null;
  sourceUpdatedAt: string | null;
}

export interface OrderItemRow {
  id: string;
  orderId: string;
  productId: string;
  quantity: number;
  unitPrice: number;
  discountApplied: number | null;
  finalPrice: number;
}

export function orderStatus(o: Pick<ShopifyOrder, "cancelledAt" | "financialStatus">, allRefunded: boolean): OrderRow["status"] {
  if (o.cancelledAt) return "cancelled";
  if (allRefunded || o.financialStatus === "refunded") return "returned";
  if (o.financialStatus === "paid" || o.financialStatus === "partially_refunded" || o.financialStatus === "partially_paid") return "completed";
  return "pending";
}

/** Items net of refunds: a returned ring is not a purchase signal. Custom items (no product) are left out. */
export function orderRows(o: ShopifyOrder): { order: OrderRow; items: OrderItemRow[] } {
  const items: OrderItemRow[] = [];
  let soldQuantity = 0;
  let remaining = 0;
  for (const li of o.lineItems) {
    soldQuantity += li.quantity;
    const quantity = Math.max(0, li.quantity - (o.refunded.get(li.id) ?? 0));
    remaining += quantity;
    if (!li.productId || quantity === 0) continue;
    const discount = li.quantity > 0 ? (li.discount * quantity) / li.quantity : 0;
    items.push({
      id: li.id,
      orderId: o.id,
      productId: li.productId,
      quantity,
      unitPrice: li.unitPrice,
      discountApplied: discount || null,
      finalPrice: li.unitPrice * quantity - discount,
    });
  }
  const allRefunded = soldQuantity > 0 && remaining === 0;
  return {
    order: {
      id: o.id,
      customerId: o.customerId,
      email: o.email,
      orderDate: new Date(o.createdAt).toISOString(),
      status: orderStatus(o, allRefunded),
      totalAmount: o.totalPrice,
      discountAmount: o.totalDiscounts,
      paymentMethod: o.gateway,
      shippingMethod: o.shippingTitle,
      numItems: remaining,
      isGift: o.tags.some((t) => /^(gift|geschenk)$/i.test(t)) ? true : null,
      occasion: o.occasion,
      sourceUpdatedAt: o.updatedAt ? new Date(o.updatedAt).toISOString() : null,
    },
    items,
  };
}
