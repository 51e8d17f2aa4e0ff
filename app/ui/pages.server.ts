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
import { latestEvaluation, loadProposal, setProposalStatus } from "../models/evaluation.server";
import { countInteractions } from "../models/interaction.server";
import { listModelVersions } from "../models/modelVersion.server";
import { countOrders } from "../models/order.server";
import { countProducts } from "../models/product.server";
import { recentJobs } from "../models/jobRun.server";
import { recommendationEventCounts } from "../models/recommendationEvent.server";
import { loadSettingsOverride, loadShopSettings, saveSettingsOverride } from "../models/settings.server";
import { findProducts, productCards, sampleCustomers, shopLocale, someCartProduct } from "../models/storefrontShop.server";
import type { EvaluationResult } from "../recommend/eval/run";
import type { PlacementProposal } from "../recommend/eval/tuning";
import { DEFAULT_SETTINGS, parseSettingsOverride, placementSettings, type PlacementSettings, type SettingsOverride } from "../recommend/settings";
import type { Placement } from "../recommend/types";
import { formatPrice } from "../storefront/fragment.server";
import { imageSrc } from "../serving/images.server";
import { refreshSnapshot } from "../serving/snapshot.server";
import { storefrontList } from "../storefront/recommendations.server";
import { onboardingSteps } from "./onboarding.server";
import { placementFromForm } from "./settingsForm";
import { EDITABLE_PLACEMENTS, type DashboardData, type EditablePlacement, type EvaluationData, type PreviewData, type SettingsData } from "./types";

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
        summary: `Hybrid recommendations: ${hybrid.why}`,
        at: null,
        questions: report.questions.map((q) => ({ question: q.question, answer: q.answer, ok: q.ok })),
        strategies: report.strategies.map((s) => ({ strategy: s.strategy, viable: s.viable, why: s.why })),
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

export function parsePlacement(value: string | null): EditablePlacement {
  return (EDITABLE_PLACEMENTS as readonly string[]).includes(value ?? "") ? (value as EditablePlacement) : "product";
}

export async function settingsData(shop: string, placement: EditablePlacement): Promise<SettingsData> {
  const settings = loadShopSettings(shop);
  const override = loadSettingsOverride(shop);
  return {
    placement,
    current: settings.placements[placement],
    defaults: DEFAULT_SETTINGS.placements[placement],
    customised: Boolean(override?.placements?.[placement]),
  };
}

/** Saves (or resets) one placement's block of the shop's override. Returns an error message for the page, or null. */
export async function saveSettingsForm(shop: string, form: FormData): Promise<{ placement: EditablePlacement; error: string | null }> {
  const placement = parsePlacement(String(form.get("placement")));
  const current: SettingsOverride = structuredClone(loadSettingsOverride(shop) ?? {});
  const placements = { ...(current.placements ?? {}) };
  if (form.get("intent") === "reset") {
    delete placements[placement];
  } else {
    try {
      const edited = placementFromForm(loadShopSettings(shop).placements[placement], form);
      const checked = parseSettingsOverride({ placements: { [placement]: edited } });
      placements[placement] = checked.placements![placement];
    } catch (e) {
      return { placement, error: (e as Error).message };
    }
  }
  await saveSettingsOverride(shop, { ...current, placements });
  await refreshSnapshot(shop); // the storefront and the preview answer with the new settings from the next request
  return { placement, error: null };
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

const METRIC_ORDER = ["ndcg", "precision", "recall", "map", "hit_rate", "coverage", "diversity", "novelty"];

export async function evaluationData(shop: string): Promise<EvaluationData> {
  const saved = await latestEvaluation<EvaluationResult>(shop);
  const proposal = await loadProposal(shop);
  const settings = loadShopSettings(shop);
  const rows = (saved?.result.results ?? []).map((r) => ({
    name: r.name,
    metrics: Object.fromEntries(METRIC_ORDER.filter((m) => typeof (r as unknown as Record<string, unknown>)[m] === "number").map((m) => [m, (r as unknown as Record<string, number>)[m]])),
  }));
  const metricNames = METRIC_ORDER.filter((m) => rows.some((r) => m in r.metrics));
  const pending = proposal && proposal.status === "proposed" ? proposal : null;
  return {
    evaluatedAt: saved ? saved.createdAt.toISOString() : null,
    k: saved?.k ?? null,
    rows,
    metricNames,
    proposal: pending
      ? Object.entries(pending.placements).map(([placement, p]: [string, PlacementProposal<Partial<PlacementSettings>>]) => {
          const current = (settings.placements[placement as Placement]?.weights ?? {}) as Record<string, number>;
          const proposedWeights = ((p.overrides as Partial<PlacementSettings>).weights ?? current) as Record<string, number>;
          const rel = p.test.relativeGain;
          return {
            placement,
            current,
            proposed: proposedWeights,
            gain: `${pending.objective} ${p.test.before.toFixed(4)} → ${p.test.after.toFixed(4)}${rel !== null ? ` (${rel >= 0 ? "+" : ""}${(100 * rel).toFixed(1)} %)` : ""}`,
          };
        })
      : null,
    notice: saved ? null : "No evaluation has been saved yet: run `npm run facet -- evaluate --tune` (the demo runs it for you).",
  };
}

/** Adopts the pending tuning proposal: its per-placement overrides go into the shop's settings. */
export async function acceptProposal(shop: string): Promise<boolean> {
  const proposal = await loadProposal(shop);
  if (!proposal || proposal.status !== "proposed") return false;
  const current: SettingsOverride = structuredClone(loadSettingsOverride(shop) ?? {});
  const settings = loadShopSettings(shop);
  const placements: Record<string, unknown> = { ...(current.placements ?? {}) };
  for (const [placement, p] of Object.entries(proposal.placements)) {
    // Deep: the proposal's knobs over the placement's current settings (its weights replace the weights).
    placements[placement] = placementSettings(settings, placement as Placement, p.overrides as Partial<PlacementSettings>);
  }
  const checked = parseSettingsOverride({ ...current, placements }, "proposal");
  await saveSettingsOverride(shop, checked);
  await refreshSnapshot(shop);
  await setProposalStatus(shop, "accepted");
  return true;
}
