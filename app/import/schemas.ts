/**
 * The import format (../shared/SEED.md) as data: per file, its columns, their types, which are
 * required, the allowed values of enums, and which database field each fills. Value parsers return
 * the typed value or an error text that says what is wrong and what to write instead.
 *
 * Decisions (docs/decisions/import-format.md repeats them):
 * - A ✅ column of SEED.md must be present and filled, except where real exports lack it:
 *   customers.csv needs only customer_id; registration_date, location_country and last_active_date
 *   are checked when present and may be empty (guest-like profiles, marketplace data); the audit
 *   counts what is missing. products.csv's image_url must be present but may be empty (catalogues
 *   without photos, e.g. the REES46 sample: the visual engine skips them).
 * - Enums (interaction_type, order_status, stock_status: a value that changes what a row means)
 *   compare case-insensitively and are stored lower-case; unknown values are errors naming the
 *   allowed ones. Descriptive categories (genders, age groups, customer_segment, income_bracket,
 *   preferred_price_range, device_type) are open: the seed's values and sure other spellings
 *   (F, w, weiblich, Frau -> female; 18–25 -> 18-25; first time -> first-time) are stored as the
 *   seed's value, anything else is kept as given, and the import warns once per column with the
 *   distinct values it kept (decision 0110). Free-text columns whose SEED values are only examples
 *   (payment_method, occasion, referrer_source, ...) are plain strings.
 * - Dates: YYYY-MM-DD, YYYY-MM-DD HH:MM[:SS[.fff]] with an optional " UTC", "Z" or offset, ISO 8601
 *   with "T", and German DD.MM.YYYY [HH:MM[:SS]]. Times without a zone are UTC.
 * - Numbers: 34.00; in a ;-separated file also the German 34,00 and 1.234,50.
 * - image_url / additional_images that are relative file paths (img/1.png) are stored as absolute
 *   paths resolved against the import folder, so that the embed job finds them later; URLs
 *   (https://, file://, data:) and absolute paths are kept as they are.
 */

export type ColumnType = "id" | "string" | "int" | "float" | "bool" | "date" | "enum" | "category" | "country";

export interface ColumnSpec {
  name: string;
  type: ColumnType;
  /** The DB field this column fills. */
  field: string;
  /** Column must be present and every value filled. */
  required?: boolean;
  /** Column must be present, values may be empty (stored as ""). */
  requiredColumn?: boolean;
  /** enum: the allowed values; category: the seed's examples (other values are kept as given). */
  values?: readonly string[];
  /** category: other spellings that surely mean one of `values` (keys in the spelling key form, see spellingKey). */
  synonyms?: Readonly<Record<string, string>>;
  /** category: what the values are, for the warning ("kept as segments"). */
  noun?: string;
  min?: number;
  max?: number;
  /** Image paths (not URLs) are resolved against the import folder; comma-separated when `list`. */
  path?: "one" | "list";
}

export type EntityName = "products" | "customers" | "orders" | "order_items" | "interactions";

export interface Reference {
  column: string;
  target: "products" | "customers" | "orders";
}

export interface FileSpec {
  entity: EntityName;
  file: string;
  idColumn: string;
  columns: ColumnSpec[];
  references: Reference[];
}

export const INTERACTION_TYPES = ["view", "click", "add_to_cart", "remove_from_cart", "add_to_wishlist", "purchase"] as const;
export const STOCK_STATUSES = ["in_stock", "out_of_stock", "preorder"] as const;
export const ORDER_STATUSES = ["completed", "pending", "cancelled", "returned"] as const;
export const PRODUCT_GENDERS = ["unisex", "female", "male"] as const;
export const PRODUCT_AGE_GROUPS = ["adult", "teen", "child"] as const;
export const CUSTOMER_GENDERS = ["female", "male", "other", "unknown"] as const;
export const CUSTOMER_AGE_GROUPS = ["18-25", "26-35", "36-45", "46+"] as const;

/** Sure spellings of the customer genders (keys: spellingKey form). Ambiguous ones (d, x) are not here. */
const CUSTOMER_GENDER_SYNONYMS: Record<string, string> = {
  f: "female", w: "female", weiblich: "female", frau: "female", woman: "female", women: "female", femme: "female", femmina: "female", donna: "female", fem: "female", mrs: "female", ms: "female", miss: "female", madame: "female", mme: "female", signora: "female", weibl: "female",
  m: "male", mannlich: "male", maennlich: "male", herr: "male", man: "male", men: "male", homme: "male", maschio: "male", uomo: "male", mr: "male", monsieur: "male", signore: "male", maennl: "male", mannl: "male",
  divers: "other", diverse: "other", "non-binary": "other", nonbinary: "other", nb: "other",
  u: "unknown", "n/a": "unknown", na: "unknown", none: "unknown", unbekannt: "unknown", "keine-angabe": "unknown", "not-specified": "unknown", unspecified: "unknown", "prefer-not-to-say": "unknown",
};
const PRODUCT_GENDER_SYNONYMS: Record<string, string> = {
  f: "female", w: "female", women: "female", woman: "female", womens: "female", ladies: "female", damen: "female", weiblich: "female", femme: "female", donna: "female",
  m: "male", men: "male", man: "male", mens: "male", herren: "male", mannlich: "male", maennlich: "male", homme: "male", uomo: "male",
  u: "unisex", both: "unisex", all: "unisex", unisexe: "unisex",
};

const c = (name: string, type: ColumnType, field: string, extra: Partial<ColumnSpec> = {}): ColumnSpec => ({ name, type, field, ...extra });

export const PRODUCTS: FileSpec = {
  entity: "products",
  file: "products.csv",
  idColumn: "product_id",
  references: [],
  columns: [
    c("product_id", "id", "id", { required: true }),
    c("title", "string", "title", { required: true }),
    c("description", "string", "description"),
    c("category", "string", "category", { required: true }),
    c("subcategory", "string", "subcategory"),
    c("brand", "string", "brand", { required: true }),
    c("collection", "string", "collection"),
    c("price", "float", "price", { required: true, min: 0 }),
    c("sale_price", "float", "salePrice", { min: 0 }),
    c("image_url", "string", "imageUrl", { requiredColumn: true, path: "one" }),
    c("additional_images", "string", "additionalImages", { path: "list" }),
    c("material", "string", "material", { required: true }),
    c("color", "string", "color"),
    c("gender", "category", "gender", { values: PRODUCT_GENDERS, synonyms: PRODUCT_GENDER_SYNONYMS, noun: "genders" }),
    c("age_group", "category", "ageGroup", { values: PRODUCT_AGE_GROUPS, synonyms: { adults: "adult", erwachsene: "adult", teens: "teen", teenager: "teen", jugendliche: "teen", kids: "child", children: "child", kinder: "child", kind: "child" }, noun: "age groups" }),
    c("stone_type", "string", "stoneType"),
    c("weight", "float", "weight", { min: 0 }),
    c("size", "string", "size"),
    c("stock_status", "enum", "stockStatus", { required: true, values: STOCK_STATUSES }),
    c("created_date", "date", "createdDate"),
    c("tags", "string", "tags"),
    c("handle", "string", "handle"),
  ],
};

export const CUSTOMERS: FileSpec = {
  entity: "customers",
  file: "customers.csv",
  idColumn: "customer_id",
  references: [],
  columns: [
    c("customer_id", "id", "id", { required: true }),
    c("email", "string", "email"),
    c("registration_date", "date", "registrationDate"),
    c("gender", "category", "gender", { values: CUSTOMER_GENDERS, synonyms: CUSTOMER_GENDER_SYNONYMS, noun: "genders" }),
    c("age", "int", "age", { min: 0, max: 120 }),
    c("age_group", "category", "ageGroup", { values: CUSTOMER_AGE_GROUPS, synonyms: { "18-to-25": "18-25", "26-to-35": "26-35", "36-to-45": "36-45", "46-and-over": "46+", "46-plus": "46+", "over-45": "46+", "46-und-alter": "46+", "ab-46": "46+" }, noun: "age groups" }),
    c("location_country", "country", "country"),
    c("location_state", "string", "state"),
    c("location_city", "string", "city"),
    c("postal_code", "string", "postalCode"),
    c("preferred_language", "string", "preferredLanguage"),
    c("income_bracket", "category", "incomeBracket", { values: ["low", "medium", "high", "luxury"], synonyms: { mid: "medium", middle: "medium", niedrig: "low", mittel: "medium", hoch: "high" }, noun: "income brackets" }),
    c("customer_segment", "category", "segment", { values: ["first-time", "regular", "vip", "inactive"], synonyms: { firsttime: "first-time", "first-timer": "first-time", "first-buyer": "first-time", erstkunde: "first-time", stammkunde: "regular", inaktiv: "inactive" }, noun: "segments" }),
    c("lifetime_value", "float", "lifetimeValue", { min: 0 }),
    c("total_orders", "int", "totalOrders", { min: 0 }),
    c("avg_order_value", "float", "avgOrderValue", { min: 0 }),
    c("preferred_categories", "string", "preferredCategories"),
    c("preferred_materials", "string", "preferredMaterials"),
    c("preferred_price_range", "category", "preferredPriceRange", { values: ["budget", "mid", "premium", "luxury"], synonyms: { "mid-range": "mid", midrange: "mid", medium: "mid", middle: "mid", mittel: "mid", "low-cost": "budget", luxus: "luxury" }, noun: "price ranges" }),
    c("marketing_consent", "bool", "marketingConsent"),
    c("last_active_date", "date", "lastActiveDate"),
  ],
};

export const ORDERS: FileSpec = {
  entity: "orders",
  file: "orders.csv",
  idColumn: "order_id",
  references: [{ column: "customer_id", target: "customers" }],
  columns: [
    c("order_id", "id", "id", { required: true }),
    c("customer_id", "id", "customerId", { required: true }),
    c("order_date", "date", "orderDate", { required: true }),
    c("order_status", "enum", "status", { required: true, values: ORDER_STATUSES }),
    c("total_amount", "float", "totalAmount", { required: true, min: 0 }),
    c("discount_amount", "float", "discountAmount", { min: 0 }),
    c("payment_method", "string", "paymentMethod"),
    c("shipping_method", "string", "shippingMethod"),
    c("delivery_date", "date", "deliveryDate"),
    c("num_items", "int", "numItems", { min: 0 }),
    c("is_gift", "bool", "isGift"),
    c("occasion", "string", "occasion"),
  ],
};

export const ORDER_ITEMS: FileSpec = {
  entity: "order_items",
  file: "order_items.csv",
  idColumn: "order_item_id",
  references: [
    { column: "order_id", target: "orders" },
    { column: "product_id", target: "products" },
  ],
  columns: [
    c("order_item_id", "id", "id", { required: true }),
    c("order_id", "id", "orderId", { required: true }),
    c("product_id", "id", "productId", { required: true }),
    c("quantity", "int", "quantity", { required: true, min: 1 }),
    c("unit_price", "float", "unitPrice", { required: true, min: 0 }),
    c("discount_applied", "float", "discountApplied", { min: 0 }),
    c("final_price", "float", "finalPrice", { min: 0 }),
  ],
};

export const INTERACTIONS: FileSpec = {
  entity: "interactions",
  file: "interactions.csv",
  idColumn: "interaction_id",
  references: [
    { column: "customer_id", target: "customers" },
    { column: "product_id", target: "products" },
  ],
  columns: [
    c("interaction_id", "id", "id", { required: true }),
    c("customer_id", "id", "customerId", { required: true }),
    c("product_id", "id", "productId", { required: true }),
    c("interaction_type", "enum", "type", { required: true, values: INTERACTION_TYPES }),
    c("timestamp", "date", "timestamp", { required: true }),
    c("session_id", "string", "sessionId"),
    c("interaction_duration", "int", "duration", { min: 0 }),
    c("device_type", "category", "deviceType", { values: ["mobile", "desktop", "tablet", "other"], synonyms: { phone: "mobile", smartphone: "mobile", handy: "mobile", pc: "desktop", computer: "desktop", laptop: "desktop", ipad: "tablet" }, noun: "device types" }),
    c("referrer_source", "string", "referrerSource"),
  ],
};

/** In import order: what is referenced comes first. */
export const FILE_SPECS: FileSpec[] = [PRODUCTS, CUSTOMERS, ORDERS, ORDER_ITEMS, INTERACTIONS];

// ---------------------------------------------------------------------------------------------
// Value parsers: (raw, context) -> value, or a ValueError with the text for the operator.

export class ValueError {
  constructor(readonly message: string) {}
}

export interface ParseContext {
  /** `;`-separated files may use the German decimal comma. */
  decimalComma: boolean;
}

const FLOAT_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const GERMAN_FLOAT_RE = /^[+-]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$/;
const INT_RE = /^[+-]?\d+$/;

export function parseFloatValue(raw: string, ctx: ParseContext): number | ValueError {
  if (FLOAT_RE.test(raw)) return Number(raw);
  if (ctx.decimalComma && GERMAN_FLOAT_RE.test(raw)) return Number(raw.replace(/\./g, "").replace(",", "."));
  return new ValueError(`${JSON.stringify(raw)} is not a number; write it like 34.00${ctx.decimalComma ? " or 34,00" : ""}`);
}

export function parseIntValue(raw: string): number | ValueError {
  if (INT_RE.test(raw) && Number.isSafeInteger(Number(raw))) return Number(raw);
  return new ValueError(`${JSON.stringify(raw)} is not a whole number; write it like 2`);
}

const TRUE = new Set(["true", "1", "yes", "y", "ja", "j", "t", "wahr"]);
const FALSE = new Set(["false", "0", "no", "n", "nein", "f", "falsch"]);
export function parseBoolValue(raw: string): boolean | ValueError {
  const v = raw.toLowerCase();
  if (TRUE.has(v)) return true;
  if (FALSE.has(v)) return false;
  return new ValueError(`${JSON.stringify(raw)} is not true or false; write true or false (1/0, yes/no, ja/nein also work)`);
}

const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|UTC|GMT|[+-]\d{2}:?\d{2})?$/i;
const GERMAN_DATE_RE = /^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:,?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;
const DATE_HINT = "write YYYY-MM-DD, YYYY-MM-DD HH:MM:SS (optionally with UTC or an offset) or DD.MM.YYYY";

/** A date as ISO 8601 (UTC), the form the database stores. */
export function parseDateValue(raw: string): string | ValueError {
  let y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0, offsetMin = 0;
  let m = ISO_RE.exec(raw);
  if (m) {
    y = +m[1]; mo = +m[2]; d = +m[3];
    if (m[4] !== undefined) { h = +m[4]; mi = +m[5]; s = m[6] ? +m[6] : 0; ms = m[7] ? Math.round(+`0.${m[7]}` * 1000) : 0; }
    const zone = m[8]?.toUpperCase();
    if (zone && zone !== "Z" && zone !== "UTC" && zone !== "GMT") {
      const sign = zone[0] === "-" ? -1 : 1;
      const digits = zone.slice(1).replace(":", "");
      offsetMin = sign * (+digits.slice(0, 2) * 60 + +digits.slice(2, 4));
    }
  } else if ((m = GERMAN_DATE_RE.exec(raw))) {
    d = +m[1]; mo = +m[2]; y = +m[3];
    if (m[4] !== undefined) { h = +m[4]; mi = +m[5]; s = m[6] ? +m[6] : 0; }
  } else {
    return new ValueError(`${JSON.stringify(raw)} is not a date; ${DATE_HINT}`);
  }
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 60) {
    return new ValueError(`${JSON.stringify(raw)} is not a valid calendar date or time; ${DATE_HINT}`);
  }
  if (offsetMin === 0 && y >= 1000 && y <= 9999) {
    // The common case, built without a Date object (this runs for every row of big files).
    return `${y}-${pad2(mo)}-${pad2(d)}T${pad2(h)}:${pad2(mi)}:${pad2(Math.min(s, 59))}.${String(ms).padStart(3, "0")}Z`;
  }
  const t = Date.UTC(y, mo - 1, d, h, mi, Math.min(s, 59), ms) - offsetMin * 60_000;
  return new Date(t).toISOString();
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
function daysInMonth(y: number, m: number): number {
  if (m === 2 && ((y % 4 === 0 && y % 100 !== 0) || y % 400 === 0)) return 29;
  return DAYS[m - 1];
}

export function parseEnumValue(raw: string, values: readonly string[]): string | ValueError {
  const v = raw.toLowerCase();
  if (values.includes(v)) return v;
  return new ValueError(`${JSON.stringify(raw)} is not one of ${values.join(", ")}; use one of these`);
}

/**
 * A spelling's key for comparison: lower case, no diacritics (männlich -> mannlich), dashes of
 * any kind and whitespace/underscores as "-", no surrounding dots or spaces ("Frau." -> frau,
 * "18 – 25" -> 18-25, "First Time" -> first-time).
 */
export function spellingKey(raw: string): string {
  return raw
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .trim()
    .replace(/[.]+$/, "")
    .replace(/\s*[-\u2010-\u2015\u2212]\s*/g, "-")
    .replace(/[\s_]+/g, "-");
}

/**
 * An open category: the seed's value when the spelling surely means it (`mapped`), else the value
 * as given (`kept`). Never an error: a shop's own segments are data, not mistakes.
 */
export function parseCategoryValue(raw: string, col: Pick<ColumnSpec, "values" | "synonyms">): { value: string; kind: "known" | "mapped" | "kept" } {
  const values = col.values ?? [];
  const lower = raw.toLowerCase();
  if (values.includes(lower)) return { value: lower, kind: lower === raw ? "known" : "mapped" };
  const key = spellingKey(raw);
  if (values.includes(key)) return { value: key, kind: "mapped" };
  const syn = col.synonyms?.[key];
  if (syn !== undefined) return { value: syn, kind: "mapped" };
  return { value: raw, kind: "kept" };
}

export function parseCountryValue(raw: string): string | ValueError {
  if (/^[A-Za-z]{2}$/.test(raw)) return raw.toUpperCase();
  return new ValueError(`${JSON.stringify(raw)} is not a two-letter country code; write an ISO code such as DE, AT or CH`);
}

/** Parses one non-empty cell of a column. */
export function parseValue(col: ColumnSpec, raw: string, ctx: ParseContext): unknown {
  switch (col.type) {
    case "id":
    case "string":
      return raw;
    case "int": {
      const v = parseIntValue(raw);
      return v instanceof ValueError ? v : checkRange(col, v);
    }
    case "float": {
      const v = parseFloatValue(raw, ctx);
      return v instanceof ValueError ? v : checkRange(col, v);
    }
    case "bool":
      return parseBoolValue(raw);
    case "date":
      return parseDateValue(raw);
    case "enum":
      return parseEnumValue(raw, col.values ?? []);
    case "category":
      return parseCategoryValue(raw, col).value;
    case "country":
      return parseCountryValue(raw);
  }
}

function checkRange(col: ColumnSpec, v: number): number | ValueError {
  if (col.min !== undefined && v < col.min) return new ValueError(`${v} is below the minimum ${col.min}; correct the value`);
  if (col.max !== undefined && v > col.max) return new ValueError(`${v} is above the maximum ${col.max}; correct the value`);
  return v;
}
