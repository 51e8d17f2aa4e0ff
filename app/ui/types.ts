/** The data each admin page renders (serialisable: loaders return it as JSON to the same components in /app and /demo). */
import type { AuditAnswer, StrategyVerdict } from "../import/audit";
import type { PlacementSettings } from "../recommend/settings";
import type { SourceName } from "../recommend/types";
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
  at: string | null;
  /** SEED.md's questions answered from the data, as numbers (the page words them: app/ui/auditText.ts). */
  questions: Pick<AuditAnswer, "id" | "variant" | "vars" | "items" | "ok">[];
  /** Every strategy's verdict and the numbers behind it. */
  strategies: Pick<StrategyVerdict, "strategy" | "viable" | "vars">[];
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

/** A product as the settings page's picker and lists show it. */
export interface ProductOption {
  id: string;
  title: string;
  image: string | null;
  price: string;
}

/** The list a placement would show with the form's settings (saved or not). */
export interface SettingsPreview {
  /** The customer the list is for (null: a visitor without history). */
  customerId: string | null;
  /** The product viewed (product placement) or in the cart (cart placement). */
  product: ProductOption | null;
  products: ProductOption[];
  error: string | null;
}

export interface SettingsData {
  placement: EditablePlacement;
  current: PlacementSettings;
  defaults: PlacementSettings;
  /** The override saved for this placement, or null when the shop uses the defaults. */
  customised: boolean;
  /** Product ids never recommended anywhere (the shop's global setting). */
  hidden: string[];
  /** The pinned and hidden products as cards (title, photo, price). */
  cards: ProductOption[];
  /** What the last training's tuning chose for this placement (parameters.blend of the published model version). */
  recommended:
    | { kind: "no-model" }
    | { kind: "not-tuned" }
    | {
        kind: "tuned";
        version: string;
        trainedAt: string;
        validationUsers: number;
        weights: Partial<Record<SourceName, number>>;
        /** Relative gain in validation NDCG over the starting mix (0.25 = 25 % more), null when unknown. */
        gain: number | null;
        /** Set when one source alone beat every mix (the blend guard). */
        guardSource: SourceName | null;
        /** Served now: the merchant has not saved weights of their own for this placement. */
        inUse: boolean;
      };
  preview: SettingsPreview;
}

/** The settings page's action: a save (or reset), the live preview, or the picker's search. */
export type SettingsActionResult =
  | { intent: "save"; placement: EditablePlacement; error: string | null }
  | { intent: "preview"; preview: SettingsPreview }
  | { intent: "search"; query: string; results: ProductOption[] };

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

/** One recommender of the saved evaluation: a baseline, a single source, or a placement's blend. */
export interface EvaluationRow {
  /** "popularity", "visual", "blend:product", ... */
  name: string;
  kind: "baseline" | "source" | "blend";
  metrics: Record<string, number>;
  /** Bootstrap 95 % intervals of the ranking metrics (hit_rate, recall, ndcg, ...). */
  ci: Record<string, [number, number]>;
}

/** The evaluate job's row (the Tune button's progress). */
export type EvaluationJob = Omit<JobRow, "name">;

export interface EvaluationData {
  evaluatedAt: string | null;
  k: number | null;
  /** Test customers evaluated, and the time the test period starts (temporal split). */
  users: number | null;
  cut: string | null;
  rows: EvaluationRow[];
  /** Metric names in display order. */
  metricNames: string[];
  /** The best blend against best-sellers on the share of future purchases found (recall@k). */
  headline: { blend: string; blendRecall: number; popularRecall: number; ratio: number | null; significant: boolean | null } | null;
  proposal: {
    placement: string;
    current: Record<string, number>;
    proposed: Record<string, number>;
    /** The objective on the test split before and after (e.g. NDCG@10), and the relative gain. */
    before: number;
    after: number;
    relativeGain: number | null;
    warning: string | null;
  }[] | null;
  /** What the published model's training tuned (rows chosen vs default, sentences), null without tuning. */
  tuned: { rows: { key: string; name: string; chosen: string; default: string }[]; notes: { key?: string; vars?: Record<string, number | string>; text: string }[] } | null;
  tunedVersion: string | null;
  /** The newest evaluation job (the Tune button's), null when none ran. */
  job: EvaluationJob | null;
}

/** The evaluation page's action: the Tune job started (or the one already running), or the proposal adopted. */
export type EvaluationActionResult = { intent: "accept"; accepted: boolean } | { intent: "tune"; jobId: string };
