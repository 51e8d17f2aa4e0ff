/**
 * The dashboard's onboarding checklist: each step's state read from the database (no step is
 * ticked by hand). Data synced: products are in and the last import or sync finished; images: the
 * image model's vectors (else the colour-only fallback, said in words); model trained: a published
 * version; blocks added: the placements whose theme block has reported (Facet learns of a block
 * once it has shown recommendations), with a deep link into the theme editor for the others;
 * first impressions: the first day a block showed products.
 */
import { COLOUR_MODEL_ID } from "../embedding/colour";
import { activeVisualModel } from "../embedding/search.server";
import { env } from "../env.server";
import { embeddingModels } from "../models/embedding.server";
import { lastCompletedJob } from "../models/jobRun.server";
import { publishedModelVersion } from "../models/modelVersion.server";
import { placementActivity } from "../models/recommendationEvent.server";
import type { OnboardingStep } from "./OnboardingChecklist";

/** The theme blocks (extensions/facet-theme/blocks) and where the theme editor adds each. */
const BLOCKS = [
  { placement: "product", handle: "product-recommendations", template: "product", target: "mainSection", demo: "/demo/storefront" },
  { placement: "home", handle: "home-recommendations", template: "index", target: "newAppsSection", demo: "/demo/storefront" },
  { placement: "cart", handle: "cart-recommendations", template: "cart", target: "newAppsSection", demo: "/demo/storefront/cart" },
] as const;

/**
 * Shopify's theme editor deep link that opens the template with the app block ready to add
 * (addAppBlockId = the app's client id / the block's handle). The demo has no theme editor: its
 * links go to the demo storefront's page, where the block already is.
 */
export function themeEditorLink(shop: string, apiKey: string, b: (typeof BLOCKS)[number]): string {
  if (!apiKey) return b.demo;
  const q = new URLSearchParams({ template: b.template, addAppBlockId: `${apiKey}/${b.handle}`, target: b.target });
  return `https://${shop}/admin/themes/current/editor?${q}`;
}

export async function onboardingSteps(shop: string, counts: { products: number; customers: number; orders: number }): Promise<OnboardingStep[]> {
  const [synced, model] = await Promise.all([lastCompletedJob(shop, ["import", "bulkSync", "sync"]), publishedModelVersion(shop)]);
  const visual = activeVisualModel(shop);
  const photos = visual && visual.kind === "onnx" ? embeddingModels(shop).find((m) => m.modelId === visual.modelId)?.count ?? 0 : 0;
  const colour = embeddingModels(shop).find((m) => m.modelId === COLOUR_MODEL_ID)?.count ?? 0;
  const activity = placementActivity(shop);
  const reporting = BLOCKS.filter((b) => activity.some((a) => a.placement === b.placement));
  const missing = BLOCKS.filter((b) => !reporting.includes(b));
  const impressions = activity.reduce((s, a) => s + a.impressions, 0);
  const clicks = activity.reduce((s, a) => s + a.clicks, 0);
  const firstDay = activity.filter((a) => a.impressions > 0).map((a) => a.firstDay).sort()[0] ?? null;
  const apiKey = env().SHOPIFY_API_KEY;
  return [
    {
      key: "synced",
      state: counts.products > 0 ? "done" : "todo",
      at: synced?.finishedAt?.toISOString() ?? null,
      vars: { products: counts.products, customers: counts.customers, orders: counts.orders },
      links: [],
    },
    {
      key: "images",
      state: photos > 0 ? "done" : colour > 0 ? "partial" : "todo",
      at: null,
      vars: { photos, products: counts.products, colour },
      links: [],
    },
    {
      key: "model",
      state: model ? "done" : "todo",
      at: model ? (model.publishedAt ?? model.createdAt).toISOString() : null,
      vars: {},
      links: [],
    },
    {
      key: "blocks",
      state: missing.length === 0 ? "done" : reporting.length ? "partial" : "todo",
      at: null,
      vars: { reporting: reporting.map((b) => b.placement).join(","), count: reporting.length },
      links: missing.map((b) => ({ placement: b.placement, href: themeEditorLink(shop, apiKey, b) })),
    },
    {
      key: "impressions",
      state: impressions > 0 ? "done" : "todo",
      at: firstDay ? `${firstDay}T00:00:00.000Z` : null,
      vars: { impressions, clicks },
      links: [],
    },
  ];
}
