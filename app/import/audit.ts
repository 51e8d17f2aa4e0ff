/**
 * SEED.md's "questions to answer before building", answered from a shop's data, and which
 * recommendation strategies the data supports now. Pure: the facts come from
 * app/models/audit.server.ts, the verdicts are computed here (and unit-tested without a database).
 */

export interface ColumnStats {
  column: string;
  rows: number;
  missing: number;
  /** Repeated values, for identity-like columns (id, title, email, image url); undefined elsewhere. */
  duplicates?: number;
}

export interface AuditFacts {
  products: number;
  productsWithImage: number;
  productsWithEmbedding: number;
  customers: number;
  customersWithDemographics: number;
  customersWithGender: number;
  customersWithAge: number;
  customersWithCountry: number;
  orders: number;
  interactionsByType: Record<string, number>;
  /** Customers with at least one interaction or order line. */
  activeCustomers: number;
  /** Distinct (customer, product) pairs from interactions and order lines. */
  customerProductPairs: number;
  customersWithTwoOrMoreProducts: number;
  productsWithActivity: number;
  ordersPerMonth: { month: string; orders: number }[];
  ordersPerMonthFrom: "orders" | "purchase interactions";
  firstActivity: string | null;
  lastActivity: string | null;
  activeMonths: number;
  duplicateRows: { interactions: number; orderItems: number };
  columns: Record<string, ColumnStats[]>;
}

export type Verdict = "yes" | "limited" | "no";

/**
 * Which question, and the numbers its answer is made of: the CLI prints `question`/`answer` (English,
 * an operator's tool); the admin renders `id`, `variant` and `vars` through the message catalogue
 * (app/i18n/catalogue/audit.ts) in the merchant's language.
 */
export interface AuditAnswer {
  id: "customers" | "ordersPerMonth" | "browsing" | "history" | "quality";
  /** The form of the answer: "" (the usual), or "none" / "onlyPurchases" where there is nothing to count. */
  variant: "" | "none" | "onlyPurchases";
  vars: Record<string, number | string>;
  /** Counted items (interaction types, recent months, tables with gaps). */
  items: { key: string; n: number; m?: number }[];
  question: string;
  answer: string;
  ok: boolean;
}

export interface StrategyVerdict {
  strategy: "visual" | "collaborative" | "demographic" | "popularity" | "recency" | "hybrid";
  viable: Verdict;
  /** The numbers `why` is made of (rendered in the merchant's language by the admin). */
  vars: Record<string, number>;
  why: string;
}

export interface AuditReport {
  shop: string;
  facts: AuditFacts;
  questions: AuditAnswer[];
  strategies: StrategyVerdict[];
  /** Columns with missing values or duplicates, worst first. */
  dataQuality: { table: string; column: string; rows: number; missing: number; missingPct: number; duplicates?: number }[];
}

/** SEED.md's thresholds. */
export const THRESHOLDS = {
  customersForCf: 1000,
  monthsOfHistory: 6,
  /** Below this many distinct products per active customer, a factor model has little to learn. */
  productsPerCustomer: 2,
  /** Share of customers with some demographic field for segment popularity to mean anything. */
  demographicCoverage: 0.3,
  minSegmentCustomers: 50,
};

const BROWSING = ["view", "click", "add_to_cart", "remove_from_cart", "add_to_wishlist"];

export function monthsBetween(first: string | null, last: string | null): number {
  if (!first || !last) return 0;
  const ms = Date.parse(last) - Date.parse(first);
  return Math.max(0, ms / (1000 * 60 * 60 * 24 * 30.44));
}

/** The derived figures the answers and verdicts share. */
function derived(f: AuditFacts) {
  const browsing = BROWSING.reduce((s, t) => s + (f.interactionsByType[t] ?? 0), 0);
  const purchases = (f.interactionsByType["purchase"] ?? 0) + f.orders;
  const months = monthsBetween(f.firstActivity, f.lastActivity);
  const perMonth = f.ordersPerMonth.length ? f.ordersPerMonth.reduce((s, m) => s + m.orders, 0) / f.ordersPerMonth.length : 0;
  const recent = f.ordersPerMonth.slice(-3);
  const density = f.activeCustomers ? f.customerProductPairs / f.activeCustomers : 0;
  return { browsing, purchases, months, perMonth, recent, density };
}

export function auditReport(shop: string, f: AuditFacts): AuditReport {
  const d = derived(f);
  return { shop, facts: f, questions: auditQuestions(f, d), strategies: strategyVerdicts(f, d), dataQuality: dataQualityRows(f) };
}

/** The data questions, each answered. */
function auditQuestions(f: AuditFacts, d: ReturnType<typeof derived>): AuditAnswer[] {
  const { browsing, purchases, months, perMonth, recent } = d;
  return [
    {
      id: "customers",
      variant: "",
      vars: { need: THRESHOLDS.customersForCf, customers: f.customers, active: f.activeCustomers },
      items: [],
      question: `How many customers? (need >= ${THRESHOLDS.customersForCf} for collaborative filtering)`,
      answer: `${f.customers} customers, ${f.activeCustomers} with interactions or orders`,
      ok: f.activeCustomers >= THRESHOLDS.customersForCf,
    },
    {
      id: "ordersPerMonth",
      variant: f.ordersPerMonth.length ? "" : "none",
      vars: { perMonth, months: f.ordersPerMonth.length, from: f.ordersPerMonthFrom },
      items: recent.map((m) => ({ key: m.month, n: m.orders })),
      question: "How many orders per month?",
      answer: f.ordersPerMonth.length
        ? `${perMonth.toFixed(1)} on average over ${f.ordersPerMonth.length} month(s) with activity (from ${f.ordersPerMonthFrom}); last months: ${recent.map((m) => `${m.month}: ${m.orders}`).join(", ")}`
        : "no orders or purchases",
      ok: perMonth >= 1,
    },
    {
      id: "browsing",
      variant: browsing ? "" : purchases ? "onlyPurchases" : "none",
      vars: { browsing, purchases },
      items: BROWSING.filter((t) => f.interactionsByType[t]).map((t) => ({ key: t, n: f.interactionsByType[t] })),
      question: "Is browsing behaviour tracked (views, clicks, carts, wishlists)?",
      answer: browsing
        ? `yes: ${BROWSING.filter((t) => f.interactionsByType[t]).map((t) => `${f.interactionsByType[t]} ${t}`).join(", ")}`
        : `no${purchases ? ": only purchases" : ""} (the storefront web pixel collects views and clicks)`,
      ok: browsing > 0,
    },
    {
      id: "history",
      variant: f.firstActivity ? "" : "none",
      vars: { need: THRESHOLDS.monthsOfHistory, months, first: f.firstActivity ?? "", last: f.lastActivity ?? "", active: f.activeMonths },
      items: [],
      question: `How much history? (>= ${THRESHOLDS.monthsOfHistory} months recommended)`,
      answer: f.firstActivity ? `${months.toFixed(1)} months (${f.firstActivity.slice(0, 10)} .. ${f.lastActivity!.slice(0, 10)}), activity in ${f.activeMonths} distinct month(s)` : "no dated activity",
      ok: months >= THRESHOLDS.monthsOfHistory,
    },
    {
      id: "quality",
      variant: "",
      vars: { interactions: f.duplicateRows.interactions, orderItems: f.duplicateRows.orderItems },
      items: qualityGaps(f),
      question: "Missing values and duplicates?",
      answer: qualitySummary(f),
      ok: f.duplicateRows.interactions === 0 && f.duplicateRows.orderItems === 0,
    },
  ];

}

/** Which strategies the data supports, and why. */
function strategyVerdicts(f: AuditFacts, d: ReturnType<typeof derived>): StrategyVerdict[] {
  const { browsing, purchases, density } = d;
  const strategies: StrategyVerdict[] = [];
  const visualProducts = Math.max(f.productsWithImage, f.productsWithEmbedding);
  strategies.push({
    strategy: "visual",
    viable: visualProducts >= 2 && visualProducts >= 0.8 * f.products ? "yes" : visualProducts >= 2 ? "limited" : "no",
    vars: { withImage: f.productsWithImage, products: f.products, withEmbedding: f.productsWithEmbedding },
    why: `${f.productsWithImage} of ${f.products} products have an image, ${f.productsWithEmbedding} an embedding`,
  });
  const cfCustomers = f.activeCustomers >= THRESHOLDS.customersForCf;
  const cfDense = density >= THRESHOLDS.productsPerCustomer;
  strategies.push({
    strategy: "collaborative",
    viable: cfCustomers && cfDense ? "yes" : f.customersWithTwoOrMoreProducts >= 100 ? "limited" : "no",
    vars: { active: f.activeCustomers, need: THRESHOLDS.customersForCf, density, needDensity: THRESHOLDS.productsPerCustomer, twoPlus: f.customersWithTwoOrMoreProducts },
    why: `${f.activeCustomers} active customers (need ${THRESHOLDS.customersForCf}), ${density.toFixed(2)} distinct products per customer (need ${THRESHOLDS.productsPerCustomer}), ${f.customersWithTwoOrMoreProducts} customers with 2+ products`,
  });
  const coverage = f.customers ? f.customersWithDemographics / f.customers : 0;
  const demoOk = coverage >= THRESHOLDS.demographicCoverage && f.customersWithDemographics >= THRESHOLDS.minSegmentCustomers && f.activeCustomers > 0;
  strategies.push({
    strategy: "demographic",
    viable: demoOk ? "yes" : f.customersWithDemographics > 0 && f.activeCustomers > 0 ? "limited" : "no",
    vars: { withDemo: f.customersWithDemographics, customers: f.customers, share: coverage, gender: f.customersWithGender, age: f.customersWithAge, country: f.customersWithCountry },
    why: `${f.customersWithDemographics} of ${f.customers} customers have age, gender or country (${(coverage * 100).toFixed(0)}%; gender ${f.customersWithGender}, age ${f.customersWithAge}, country ${f.customersWithCountry})`,
  });
  strategies.push({
    strategy: "popularity",
    viable: purchases + browsing >= 100 ? "yes" : purchases + browsing > 0 ? "limited" : "no",
    vars: { purchases, browsing },
    why: `${purchases} purchases/orders and ${browsing} browsing events`,
  });
  strategies.push({
    strategy: "recency",
    viable: browsing > 0 ? "yes" : purchases > 0 ? "limited" : "no",
    vars: { browsing, purchases },
    why: browsing > 0 ? "recent views and clicks can boost related products" : purchases > 0 ? "only purchases: recency works from past orders alone" : "no activity yet",
  });
  const strong = strategies.filter((s) => s.viable === "yes").length;
  strategies.push({
    strategy: "hybrid",
    viable: strong >= 2 ? "yes" : strong + strategies.filter((s) => s.viable === "limited").length >= 2 ? "limited" : "no",
    vars: { strong },
    why: `${strong} strategies fully viable; the blend re-weights towards those`,
  });
  return strategies;
}

/** Columns with missing values or duplicates, worst first. */
function dataQualityRows(f: AuditFacts): AuditReport["dataQuality"] {
  return Object.entries(f.columns)
    .flatMap(([table, cols]) =>
      cols.filter((c) => c.rows > 0 && (c.missing > 0 || (c.duplicates ?? 0) > 0)).map((c) => ({
        table,
        column: c.column,
        rows: c.rows,
        missing: c.missing,
        missingPct: Math.round((c.missing / c.rows) * 1000) / 10,
        duplicates: c.duplicates,
      })),
    )
    .sort((a, b) => b.missingPct - a.missingPct || (b.duplicates ?? 0) - (a.duplicates ?? 0));
}

/** Per table with gaps: n columns partly empty, m empty. */
function qualityGaps(f: AuditFacts): { key: string; n: number; m: number }[] {
  const gaps: { key: string; n: number; m: number }[] = [];
  for (const [table, cols] of Object.entries(f.columns)) {
    const missing = cols.filter((c) => c.rows > 0 && c.missing > 0 && c.missing === c.rows).length;
    const partly = cols.filter((c) => c.rows > 0 && c.missing > 0 && c.missing < c.rows).length;
    if (missing || partly) gaps.push({ key: table, n: partly, m: missing });
  }
  return gaps;
}

function qualitySummary(f: AuditFacts): string {
  const gaps = qualityGaps(f).map((g) => `${g.key}: ${g.n} column(s) partly empty, ${g.m} empty`);
  const dups = `duplicate rows: ${f.duplicateRows.interactions} interactions, ${f.duplicateRows.orderItems} order items`;
  return [...gaps, dups].join("; ");
}
