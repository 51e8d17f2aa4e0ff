/**
 * The admin pages' loaders and actions, shared by the embedded admin (/app, after
 * authenticate.admin) and the demo (/demo): each takes the shop and the request's data and returns
 * what the page components in app/ui render. Only reads and delegations: the numbers come from
 * the models, the lists from app/serving through the storefront's own adapter.
 */
import { attributedRevenueHeadline } from "../experiments/results.server";
import { auditReport } from "../import/audit";
import { auditFacts } from "../models/audit.server";
import { visualNote } from "../embedding/search.server";
import { countCustomers } from "../models/customer.server";
import { countInteractions } from "../models/interaction.server";
import { listModelVersions } from "../models/modelVersion.server";
import { countOrders } from "../models/order.server";
import { countProducts } from "../models/product.server";
import { recentJobs } from "../models/jobRun.server";
import { recommendationEventCounts } from "../models/recommendationEvent.server";
import { findProducts, productCards, sampleCustomers, shopLocale, someCartProduct } from "../models/storefrontShop.server";
import type { Placement } from "../recommend/types";
import { formatPrice } from "../storefront/fragment.server";
import { imageSrc } from "../serving/images.server";
import { storefrontList } from "../storefront/recommendations.server";
import { onboardingSteps } from "./onboarding.server";
import type { DashboardData, PreviewData } from "./types";

const DAY_MS = 86_400_000;

function numericMetrics(json: string | null): Record<string, number> {
  if (!json) return {};
  try {
    const parsed = JSON.parse(json) as Record<string, unknown>;
    return Object.fromEntries(Object.entries(parsed).filter((e): e is [string, number] => typeof e[1] === "number"));
  } catch {
    return {};
  }
}

export async function dashboardData(shop: string, nowMs: number): Promise<DashboardData> {
  const [jobs, models, events, attributed] = await Promise.all([
    recentJobs(shop, 12),
    listModelVersions(shop, 8),
    recommendationEventCounts(shop, new Date(nowMs - 30 * DAY_MS)),
    attributedRevenueHeadline(shop, 30, new Date(nowMs)),
  ]);
  const counts = { products: countProducts(shop), customers: countCustomers(shop), orders: countOrders(shop), interactions: countInteractions(shop) };
  let audit: DashboardData["audit"] = null;
  if (counts.products > 0) {
    const report = auditReport(shop, auditFacts(shop));
    const hybrid = report.strategies.find((s) => s.strategy === "hybrid") ?? report.strategies[0];
    if (hybrid) {
      audit = {
        verdict: hybrid.viable,
        at: null,
        questions: report.questions.map((q) => ({ id: q.id, variant: q.variant, vars: q.vars, items: q.items, ok: q.ok })),
        strategies: report.strategies.map((s) => ({ strategy: s.strategy, viable: s.viable, vars: s.vars })),
      };
    }
  }
  return {
    shop,
    counts,
    jobs: jobs.map((j) => ({
      id: j.id,
      name: j.name,
      status: j.status,
      progress: j.progress,
      message: j.message,
      error: j.error,
      createdAt: j.createdAt.toISOString(),
      finishedAt: j.finishedAt?.toISOString() ?? null,
    })),
    models: models.map((m) => ({
      version: m.version,
      status: m.status,
      createdAt: m.createdAt.toISOString(),
      publishedAt: m.publishedAt?.toISOString() ?? null,
      metrics: numericMetrics(m.metrics),
    })),
    audit,
    visualNote: visualNote(shop),
    events,
    attributed,
    onboarding: await onboardingSteps(shop, counts),
  };
}

export async function previewData(shop: string, url: URL, nowMs: number): Promise<PreviewData> {
  const placement = (["product", "home", "cart", "email", "general"] as const).find((p) => p === url.searchParams.get("placement")) ?? "product";
  const customers = sampleCustomers(shop, 30);
  const products = findProducts(shop, "", 60);
  const customerId = url.searchParams.get("customer") || null;
  let productId = url.searchParams.get("product") || null;
  if (!url.searchParams.has("product") && (placement === "product" || placement === "cart")) {
    productId = (placement === "cart" ? someCartProduct(shop, customerId) : null) ?? products[0]?.id ?? null;
  }
  const loc = shopLocale(shop);
  const data: PreviewData = {
    placement,
    customerId,
    productId,
    customers: customers.map((c) => ({ id: c.id, label: `${c.id} (${[c.segment, c.gender, c.ageGroup, c.country].filter(Boolean).join(", ")}; ${c.events} events)` })),
    products: products.map((p) => ({ id: p.id, label: `${p.title} (${p.id})` })),
    result: null,
    error: null,
    anchor: null,
  };
  if (productId && !products.some((p) => p.id === productId)) data.products.unshift({ id: productId, label: productId });
  if (productId && (placement === "product" || placement === "cart")) {
    const a = productCards(shop, [productId]).get(productId);
    if (a) data.anchor = { id: a.id, title: a.title, image: imageSrc(shop, a.id, a.imageUrl), price: formatPrice(a.price, loc.currency, loc.locale), score: 0, reasons: [], url: "" };
  }
  try {
    const list = await storefrontList({
      shop,
      placement: placement as Placement,
      customerId,
      productId: placement === "product" ? productId : null,
      cart: placement === "cart" && productId ? [productId] : [],
      limit: 8,
      language: "en",
      root: "/",
      nowMs,
      experiments: false, // the preview shows the placement's settings, never a shopper's A/B arm
    });
    data.result = {
      recommendationId: list.recommendationId,
      modelVersion: list.modelVersion,
      products: list.products.map((p) => ({ ...p, price: formatPrice(p.price, list.currency, list.locale) })),
    };
  } catch (e) {
    data.error = `The recommender could not answer: ${(e as Error).message}`;
  }
  return data;
}
