/**
 * The app proxy's HTML answer: ready product cards that facet.js drops into an app block.
 * Rendered here rather than in the browser so that the block's JavaScript stays tiny and prices
 * are formatted once, in the shop's currency and the shopper's locale.
 */
import type { StorefrontList } from "./types";

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

export function formatPrice(amount: number, currency: string, locale: string): string {
  try {
    return new Intl.NumberFormat(locale, { style: "currency", currency }).format(amount);
  } catch {
    return `${amount.toFixed(2)} ${currency}`; // an unknown locale or currency code must not break the block
  }
}

/** Shopify CDN images take a width parameter; other hosts get the URL unchanged. */
export function sizedImage(url: string, width: number): string {
  if (!/^https:\/\/cdn\.shopify\.com\//.test(url)) return url;
  const u = new URL(url);
  u.searchParams.set("width", String(width));
  return u.toString();
}

export function renderCards(list: StorefrontList, opts: { reasons: boolean }): string {
  const cards = list.products.map((p, i) => {
    const img = p.image
      ? `<img src="${escapeHtml(sizedImage(p.image, 360))}" alt="${escapeHtml(p.title)}" width="360" height="360" loading="lazy" decoding="async">`
      : "";
    const reason = opts.reasons && p.reasons[0] ? `<span class="facet-card__reason">${escapeHtml(p.reasons[0])}</span>` : "";
    return (
      `<li class="facet-card">` +
      `<a class="facet-card__link" href="${escapeHtml(p.url)}" data-product-id="${escapeHtml(p.id)}" data-position="${i + 1}">` +
      `<span class="facet-card__media">${img}</span>` +
      `<span class="facet-card__title">${escapeHtml(p.title)}</span>` +
      // The amount and its currency ride along: facet.js re-renders it in the shopper's market currency and the
      // theme's money format (Shopify.currency, the Liquid money filter's sample); this text is the fallback.
      `<span class="facet-card__price" data-amount="${p.price}" data-currency="${escapeHtml(list.currency)}">${escapeHtml(formatPrice(p.price, list.currency, list.locale))}</span>` +
      reason +
      `</a></li>`
    );
  });
  return (
    `<ul class="facet-recs__grid" role="list" data-recommendation-id="${escapeHtml(list.recommendationId)}"` +
    ` data-model-version="${escapeHtml(list.modelVersion ?? "")}"` +
    (list.experiment ? ` data-experiment="${escapeHtml(list.experiment.id)}" data-variant="${escapeHtml(list.experiment.variant)}"` : "") +
    `>${cards.join("")}</ul>`
  );
}
