/**
 * The settings page's server side (both /app/settings and /demo/settings): what the page shows
 * (the placement's settings, its pinned and hidden products as cards, the mix the last training
 * recommends, a first preview), and its actions: save or reset, the live preview of unsaved
 * settings, and the product picker's search by title.
 */
import { publishedModelVersion } from "../models/modelVersion.server";
import { loadSettingsOverride, loadShopSettings, saveSettingsOverride } from "../models/settings.server";
import { findProducts, productCards, sampleCustomers, shopLocale, someCartProduct } from "../models/storefrontShop.server";
import { blendTuningOf } from "../recommend/hybrid/tuneBlend";
import { DEFAULT_SETTINGS, parseSettingsOverride, type PlacementSettings, type SettingsOverride } from "../recommend/settings";
import type { SourceName } from "../recommend/types";
import { imageSrc } from "../serving/images.server";
import { refreshSnapshot } from "../serving/snapshot.server";
import { formatPrice } from "../storefront/fragment.server";
import { priceLocale, storefrontList } from "../storefront/recommendations.server";
import type { AdminLocale } from "../i18n/messages";
import { placementFromForm } from "./settingsForm";
import { cleanWeights } from "./settingsKnobs";
import { EDITABLE_PLACEMENTS, type EditablePlacement, type ProductOption, type SettingsActionResult, type SettingsData, type SettingsPreview } from "./types";

const PREVIEW_SIZE = 6;

export function parsePlacement(value: string | null): EditablePlacement {
  return (EDITABLE_PLACEMENTS as readonly string[]).includes(value ?? "") ? (value as EditablePlacement) : "product";
}

function options(shop: string, ids: string[], locale: AdminLocale): ProductOption[] {
  const cards = productCards(shop, ids);
  const loc = shopLocale(shop);
  const tag = priceLocale(locale, loc.locale);
  return ids.map((id) => {
    const c = cards.get(id);
    return c
      ? { id, title: c.title, image: imageSrc(shop, id, c.imageUrl), price: formatPrice(c.salePrice ?? c.price, loc.currency, tag) }
      : { id, title: id, image: null, price: "" };
  });
}

/** The product picker: products whose title contains `query` (or whose id is it), with photo and price. */
export function searchProducts(shop: string, query: string, locale: AdminLocale, limit = 8): ProductOption[] {
  const q = query.trim();
  if (!q) return [];
  return options(shop, findProducts(shop, q, limit).map((p) => p.id), locale);
}

/** Who the preview is for: the most active customer, and for the product and cart placements a product. */
function previewSubject(shop: string, placement: EditablePlacement): { customerId: string | null; productId: string | null } {
  const customerId = placement === "product" ? null : sampleCustomers(shop, 1)[0]?.id ?? null;
  let productId: string | null = null;
  if (placement === "product") productId = findProducts(shop, "", 1)[0]?.id ?? null;
  if (placement === "cart") productId = someCartProduct(shop, null) ?? findProducts(shop, "", 1)[0]?.id ?? null;
  return { customerId, productId };
}

/**
 * The list the placement would show with `settings` (saved or not) and without the `hidden`
 * products, for the preview's customer and product.
 */
export async function settingsPreview(shop: string, placement: EditablePlacement, settings: PlacementSettings, hidden: string[], nowMs: number, locale: AdminLocale): Promise<SettingsPreview> {
  const { customerId, productId } = previewSubject(shop, placement);
  const subject = { customerId, product: productId ? options(shop, [productId], locale)[0] : null };
  const hide = new Set(hidden);
  try {
    const list = await storefrontList({
      shop,
      placement,
      customerId,
      productId: placement === "product" ? productId : null,
      cart: placement === "cart" && productId ? [productId] : [],
      limit: Math.min(50, PREVIEW_SIZE + hide.size),
      language: locale,
      root: "/",
      nowMs,
      experiments: false,
      settings,
    });
    const products = list.products
      .filter((p) => !hide.has(p.id))
      .slice(0, PREVIEW_SIZE)
      .map((p) => ({ id: p.id, title: p.title, image: p.image, price: formatPrice(p.price, list.currency, list.locale) }));
    return { ...subject, products, error: null };
  } catch (e) {
    return { ...subject, products: [], error: (e as Error).message };
  }
}

/** The mix the published model's training chose for this placement (parameters.blend), or why there is none. */
async function recommended(shop: string, placement: EditablePlacement, ownWeights: boolean): Promise<SettingsData["recommended"]> {
  const row = await publishedModelVersion(shop);
  let params: unknown = null;
  try {
    params = row?.params ? JSON.parse(row.params) : null;
  } catch {
    params = null;
  }
  const blend = blendTuningOf(params);
  if (!row || !blend) return { kind: "no-model" };
  const t = blend.placements[placement];
  if (!t || !Object.keys(t.chosen).length) return { kind: "not-tuned" };
  const weights = t.guard ? ({ [t.guard.source]: 1 } as Partial<Record<SourceName, number>>) : cleanWeights(t.chosen);
  const score = t.guard ? (t.sourceScores[t.guard.source] ?? t.chosenScore) : t.chosenScore;
  return {
    kind: "tuned",
    version: row.version,
    trainedAt: row.createdAt.toISOString(),
    validationUsers: blend.validationUsers,
    weights,
    gain: t.defaultScore > 0 ? score / t.defaultScore - 1 : null,
    guardSource: t.guard?.source ?? null,
    inUse: !ownWeights,
  };
}

export async function settingsData(shop: string, placement: EditablePlacement, nowMs: number, locale: AdminLocale): Promise<SettingsData> {
  const settings = loadShopSettings(shop);
  const override = loadSettingsOverride(shop);
  const rec = await recommended(shop, placement, override?.placements?.[placement]?.weights !== undefined);
  // While the tuned mix is served (no weights of the merchant's own), the sliders show it: what they show is what is served.
  const current = rec.kind === "tuned" && rec.inUse ? { ...settings.placements[placement], weights: { ...rec.weights } } : settings.placements[placement];
  const hidden = settings.global.hidden;
  return {
    placement,
    current,
    defaults: DEFAULT_SETTINGS.placements[placement],
    customised: Boolean(override?.placements?.[placement]),
    hidden,
    cards: options(shop, [...new Set([...current.rules.pinned, ...hidden])], locale),
    recommended: rec,
    preview: await settingsPreview(shop, placement, current, hidden, nowMs, locale),
  };
}

function idList(value: FormDataEntryValue | null): string[] {
  return [...new Set(String(value ?? "").split(",").map((t) => t.trim()).filter(Boolean))];
}

/** Saves (or resets) one placement's block of the shop's override, and the shop's hidden products. */
export async function saveSettingsForm(shop: string, form: FormData): Promise<{ placement: EditablePlacement; error: string | null }> {
  const placement = parsePlacement(String(form.get("placement")));
  const current: SettingsOverride = structuredClone(loadSettingsOverride(shop) ?? {});
  const placements = { ...(current.placements ?? {}) };
  let global = current.global;
  if (form.get("intent") === "reset") {
    delete placements[placement];
  } else {
    try {
      const edited = placementFromForm(loadShopSettings(shop).placements[placement], form);
      const checked = parseSettingsOverride({ placements: { [placement]: edited } });
      placements[placement] = checked.placements![placement];
      if (form.has("global.hidden")) global = { ...(global ?? {}), hidden: idList(form.get("global.hidden")) };
    } catch (e) {
      return { placement, error: (e as Error).message };
    }
  }
  await saveSettingsOverride(shop, { ...current, ...(global ? { global } : {}), placements });
  await refreshSnapshot(shop); // the storefront and the preview answer with the new settings from the next request
  return { placement, error: null };
}

/** The settings page's one action: save/reset, the live preview of the form as it is, or the picker's search. */
export async function settingsAction(shop: string, form: FormData, nowMs: number, locale: AdminLocale): Promise<SettingsActionResult> {
  const intent = String(form.get("intent") ?? "save");
  if (intent === "search") {
    const query = String(form.get("q") ?? "");
    return { intent, query, results: searchProducts(shop, query, locale) };
  }
  if (intent === "preview") {
    const placement = parsePlacement(String(form.get("placement")));
    try {
      const edited = placementFromForm(loadShopSettings(shop).placements[placement], form);
      const checked = parseSettingsOverride({ placements: { [placement]: edited } }).placements![placement] as PlacementSettings;
      return { intent, preview: await settingsPreview(shop, placement, { ...edited, ...checked }, idList(form.get("global.hidden")), nowMs, locale) };
    } catch (e) {
      return { intent, preview: { customerId: null, product: null, products: [], error: (e as Error).message } };
    }
  }
  return { intent: "save", ...(await saveSettingsForm(shop, form)) };
}
