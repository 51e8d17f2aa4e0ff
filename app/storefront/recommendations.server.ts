/**
 * The storefront's view of a recommendation list: app/serving's answer (the same function the JSON
 * API calls; no ranking here) with storefront URLs, loadable pictures, and the locale prices are
 * written in (the shopper's language, the shop's region and currency).
 */
import { shopLocale } from "../models/storefrontShop.server";
import { recommendFor } from "../serving/recommend.server";
import type { Placement } from "../recommend/types";
import type { PlacementSettings } from "../recommend/settings";
import { imageSrc } from "../serving/images.server";
import { shopperLanguage } from "../serving/reasonText";
import type { StorefrontList } from "./types";

export interface StorefrontRequest {
  shop: string;
  placement: Placement;
  customerId: string | null;
  /** The block's first-party anonymous id (facet.js): assigns experiment variants to anonymous shoppers. */
  clientId?: string | null;
  productId: string | null;
  cart: string[];
  limit: number;
  /** The shopper's language from the theme (request.locale.iso_code), e.g. "de" or "en-CH"; null: the shop's. */
  language: string | null;
  /** routes.root_url of the theme ("/" or a locale's "/de"): product links keep the shopper's language. */
  root: string;
  nowMs: number;
  /** false: the placement's own settings, outside running experiments, no exposure (the admin's preview). Default true. */
  experiments?: boolean;
  /** Unsaved settings of the placement (the admin's live preview): app/serving's RecommendRequest.settings. */
  settings?: Partial<PlacementSettings>;
}

/** "en" in a shop whose locale is de-DE formats as en-DE: English words, the shop's region. */
export function priceLocale(language: string | null, shopLocaleTag: string): string {
  const [shopLang, region] = shopLocaleTag.split("-");
  const lang = (language ?? shopLang).split("-")[0].toLowerCase();
  return region ? `${lang}-${region.toUpperCase()}` : lang;
}

export async function storefrontList(req: StorefrontRequest): Promise<StorefrontList> {
  const loc = shopLocale(req.shop);
  const locale = priceLocale(req.language, loc.locale);
  const answer = await recommendFor({
    shop: req.shop,
    placement: req.placement,
    customerId: req.customerId,
    clientId: req.clientId ?? null,
    experiments: req.experiments,
    settings: req.settings,
    productId: req.productId,
    cart: req.cart,
    limit: req.limit,
    locale: shopperLanguage(locale) ?? "en",
    now: req.nowMs,
  });
  const root = req.root.endsWith("/") ? req.root : `${req.root}/`;
  return {
    recommendationId: answer.recommendationId,
    placement: answer.placement,
    modelVersion: answer.modelVersion,
    currency: answer.products[0]?.currency ?? loc.currency,
    locale,
    experiment: answer.experiment ? { id: answer.experiment.id, variant: answer.experiment.variant } : null,
    products: answer.products.map((p) => ({
      id: p.id,
      title: p.title,
      price: p.price,
      image: imageSrc(req.shop, p.id, p.image),
      url: `${root}products/${encodeURIComponent(p.handle ?? p.id)}`,
      score: p.score,
      reasons: p.reasons,
    })),
  };
}
