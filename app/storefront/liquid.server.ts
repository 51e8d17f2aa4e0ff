/**
 * Renders the theme app extension's blocks (extensions/facet-theme) with LiquidJS, the way Shopify's
 * theme editor would: the {% schema %} is read for the settings' defaults, the block's stylesheet
 * and script; the Liquid itself is the very file Shopify renders. The demo storefront uses this, so a
 * newcomer sees what a shopper would see without a store.
 * Shopify-only filters are provided in the small subset the blocks use (t, asset_url, money).
 */
import fs from "node:fs";
import path from "node:path";
import { Liquid } from "liquidjs";

/** The extension folder: two levels up from app/storefront/ in sources, and from build/server/ once built. */
export function extensionDir(): string {
  const candidates = [
    path.resolve(path.dirname(new URL(import.meta.url).pathname), "../../extensions/facet-theme"),
    path.resolve(process.cwd(), "extensions/facet-theme"),
  ];
  const found = candidates.find((d) => fs.existsSync(path.join(d, "shopify.extension.toml")));
  if (!found) throw new Error(`The theme app extension was not found (looked in ${candidates.join(", ")}): run the server from the repository root.`);
  return found;
}

export interface BlockSchema {
  name: string;
  stylesheet?: string;
  javascript?: string;
  settings: { id: string; type: string; default?: unknown }[];
}

export interface ParsedBlock {
  file: string;
  source: string;
  schema: BlockSchema;
}

const SCHEMA_RE = /\{%-?\s*schema\s*-?%\}([\s\S]*?)\{%-?\s*endschema\s*-?%\}/;

export function parseBlock(file: string): ParsedBlock {
  const text = fs.readFileSync(file, "utf8");
  const m = SCHEMA_RE.exec(text);
  if (!m) throw new Error(`${file}: the block has no {% schema %}`);
  let schema: BlockSchema;
  try {
    schema = JSON.parse(m[1]) as BlockSchema;
  } catch (e) {
    throw new Error(`${file}: the {% schema %} is not valid JSON (${(e as Error).message})`);
  }
  return { file, source: text.replace(SCHEMA_RE, ""), schema };
}

type Translations = Record<string, unknown>;

function loadLocale(dir: string, lang: string): Translations {
  const file = lang === "en" ? "en.default.json" : `${lang}.json`;
  const p = path.join(dir, "locales", file);
  return fs.existsSync(p) ? (JSON.parse(fs.readFileSync(p, "utf8")) as Translations) : {};
}

function lookup(tree: Translations, key: string): string | undefined {
  let node: unknown = tree;
  for (const part of key.split(".")) {
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return typeof node === "string" ? node : undefined;
}

export interface ThemeRenderer {
  /** Renders one block (e.g. "product-recommendations") with the page's objects; settings override the schema's defaults. */
  renderBlock(name: string, objects: Record<string, unknown>, settings?: Record<string, unknown>, blockId?: string): Promise<string>;
  /** The stylesheet and script files the given blocks declare, each once (Shopify dedupes them the same way). */
  assetsOf(names: string[]): { stylesheets: string[]; scripts: string[] };
  dir: string;
}

/**
 * `money`: Shopify's Liquid money filter (cents in, the shopper's currency and format out); the
 * demo passes one for its market, the default formats euros in the language's own way.
 */
export function themeRenderer(opts: { language: string; assetBase: string; dir?: string; money?: (cents: number) => string }): ThemeRenderer {
  const dir = opts.dir ?? extensionDir();
  const engine = new Liquid({
    root: [path.join(dir, "snippets")],
    partials: [path.join(dir, "snippets")],
    extname: ".liquid",
    strictFilters: true, // a filter Shopify has but this renderer lacks must fail loudly, not render blank
    cache: process.env.NODE_ENV === "production",
  });
  const primary = loadLocale(dir, opts.language);
  const fallback = loadLocale(dir, "en");
  engine.registerFilter("t", (key: string) => lookup(primary, key) ?? lookup(fallback, key) ?? `translation missing: ${opts.language}.${key}`);
  const money = opts.money ?? ((cents: number) => new Intl.NumberFormat(opts.language, { style: "currency", currency: "EUR" }).format(cents / 100));
  engine.registerFilter("money", (cents: unknown) => money(Number(cents)));
  engine.registerFilter("asset_url", (file: string) => `${opts.assetBase}/${encodeURIComponent(file)}`);

  const blocks = new Map<string, ParsedBlock>();
  const block = (name: string) => {
    let b = blocks.get(name);
    if (!b) {
      b = parseBlock(path.join(dir, "blocks", `${name}.liquid`));
      blocks.set(name, b);
    }
    return b;
  };

  return {
    dir,
    async renderBlock(name, objects, settings = {}, blockId = name) {
      const b = block(name);
      const defaults = Object.fromEntries(b.schema.settings.filter((s) => "default" in s).map((s) => [s.id, s.default]));
      const blockObject = { id: blockId, type: name, settings: { ...defaults, ...settings }, shopify_attributes: "" };
      // Shopify's global objects (product, cart, request, routes, ...) are visible inside rendered snippets too.
      return engine.parseAndRender(b.source, { block: blockObject }, { globals: objects });
    },
    assetsOf(names) {
      const stylesheets = new Set<string>();
      const scripts = new Set<string>();
      for (const n of names) {
        const s = block(n).schema;
        if (s.stylesheet) stylesheets.add(s.stylesheet);
        if (s.javascript) scripts.add(s.javascript);
      }
      return { stylesheets: [...stylesheets], scripts: [...scripts] };
    },
  };
}
