/** The data each admin page renders (serialisable: loaders return it as JSON to the same components in /app and /demo). */
import type { PlacementSettings } from "../recommend/settings";
import type { OnboardingStep } from "./OnboardingChecklist";

export interface JobRow {
  id: string;
  name: string;
  status: string;
  progress: number;
  message: string | null;
  error: string | null;
  createdAt: string;
  finishedAt: string | null;
}

export interface ModelVersionRow {
  version: string;
  status: string;
  createdAt: string;
  publishedAt: string | null;
  /** A few training metrics worth a glance (name -> value). */
  metrics: Record<string, number>;
}

export interface AuditSummary {
  /** The audit's verdict on the hybrid strategy: "yes" | "limited" | "no" (app/import/audit.ts). */
  verdict: string;
  summary: string;
  at: string | null;
  /** SEED.md's questions answered from the data (customers, orders per month, browsing, history, gaps). */
  questions: { question: string; answer: string; ok: boolean }[];
  /** Every strategy's verdict and why. */
  strategies: { strategy: string; viable: string; why: string }[];
}

export interface DashboardData {
  shop: string;
  counts: { products: number; customers: number; orders: number; interactions: number };
  jobs: JobRow[];
  models: ModelVersionRow[];
  audit: AuditSummary | null;
  /** Said plainly when visual similarity runs on the colour descriptor alone (no image model); null otherwise. */
  visualNote: string | null;
  /** Impressions and clicks the theme blocks reported in the last 30 days. */
  events: { placement: string; type: string; count: number }[];
  /** The headline: revenue attributed to recommendation clicks (app/experiments/results.server.ts attributedRevenueHeadline). */
  attributed: { revenue: number; orders: number; currency: string; impressions: number; clicks: number; days: number; windowDays: number } | null;
  /** The "Getting started" checklist (app/ui/onboarding.server.ts). */
  onboarding: OnboardingStep[];
}

export const EDITABLE_PLACEMENTS = ["product", "home", "cart", "email", "general"] as const;
export type EditablePlacement = (typeof EDITABLE_PLACEMENTS)[number];

export interface SettingsData {
  placement: EditablePlacement;
  current: PlacementSettings;
  defaults: PlacementSettings;
  /** The override saved for this placement, or null when the shop uses the defaults. */
  customised: boolean;
}

export interface PreviewProduct {
  id: string;
  title: string;
  image: string | null;
  price: string;
  score: number;
  reasons: string[];
  url: string;
}

export interface PreviewData {
  placement: "product" | "home" | "cart" | "email" | "general";
  customerId: string | null;
  productId: string | null;
  customers: { id: string; label: string }[];
  products: { id: string; label: string }[];
  result: { recommendationId: string; modelVersion: string | null; products: PreviewProduct[] } | null;
  error: string | null;
  /** The seed product (product and cart placements), shown beside the list. */
  anchor: PreviewProduct | null;
}

export interface MetricRow {
  /** Which variant: a model version, a baseline ("popularity"), or the tuned blend. */
  name: string;
  metrics: Record<string, number>;
}

export interface EvaluationData {
  evaluatedAt: string | null;
  k: number | null;
  rows: MetricRow[];
  /** Metric names in display order. */
  metricNames: string[];
  proposal: {
    placement: string;
    current: Record<string, number>;
    proposed: Record<string, number>;
    gain: string | null;
  }[] | null;
  notice: string | null;
}
