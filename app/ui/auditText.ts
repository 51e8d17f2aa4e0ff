/**
 * The data audit in the merchant's words: app/import/audit.ts's questions and strategy verdicts
 * (numbers) rendered through the message catalogue, numbers and dates by Intl for the admin's locale.
 */
import type { Formatter } from "../i18n/format";
import { isMessageKey, type MessageKey } from "../i18n/messages";
import type { AuditSummary } from "./types";

type T = (key: MessageKey, vars?: Record<string, string | number>) => string;
type Question = AuditSummary["questions"][number];
type Strategy = AuditSummary["strategies"][number];

const num = (v: number | string | undefined): number => (typeof v === "number" ? v : Number(v ?? 0));

function key(t: T, k: string, vars: Record<string, string | number>, fallback: string): string {
  return isMessageKey(k) ? t(k, vars) : fallback;
}

export function auditQuestion(t: T, fmt: Formatter, q: Question): { question: string; answer: string } {
  const v = q.vars;
  const n = (x: number | string | undefined, digits = 0) => fmt.number(num(x), digits);
  switch (q.id) {
    case "customers":
      return { question: t("audit.q.customers", { need: n(v.need) }), answer: t("audit.a.customers", { customers: n(v.customers), active: n(v.active) }) };
    case "ordersPerMonth":
      return {
        question: t("audit.q.ordersPerMonth"),
        answer: q.variant === "none"
          ? t("audit.a.ordersPerMonth.none")
          : t("audit.a.ordersPerMonth", {
              perMonth: n(v.perMonth, 1),
              months: n(v.months),
              from: t(v.from === "orders" ? "audit.from.orders" : "audit.from.purchases"),
              recent: q.items.map((m) => `${fmt.month(m.key)}: ${fmt.number(m.n)}`).join(", "),
            }),
      };
    case "browsing":
      return {
        question: t("audit.q.browsing"),
        answer: q.variant === "none"
          ? t("audit.a.browsing.none")
          : q.variant === "onlyPurchases"
            ? t("audit.a.browsing.onlyPurchases")
            : t("audit.a.browsing", { list: q.items.map((i) => key(t, `audit.type.${i.key}`, { n: fmt.number(i.n) }, `${fmt.number(i.n)} ${i.key}`)).join(", ") }),
      };
    case "history":
      return {
        question: t("audit.q.history", { need: n(v.need) }),
        answer: q.variant === "none"
          ? t("audit.a.history.none")
          : t("audit.a.history", { months: n(v.months, 1), first: fmt.date(String(v.first)), last: fmt.date(String(v.last)), active: n(v.active) }),
      };
    case "quality":
      return {
        question: t("audit.q.quality"),
        answer: [
          ...q.items.map((g) => t("audit.a.qualityTable", { table: key(t, `audit.table.${g.key}`, {}, g.key), partly: fmt.number(g.n), empty: fmt.number(g.m ?? 0) })),
          t("audit.a.qualityDuplicates", { interactions: n(v.interactions), orderItems: n(v.orderItems) }),
        ].join("; "),
      };
  }
}

export function strategyName(t: T, s: Pick<Strategy, "strategy">): string {
  return t(`audit.strategy.${s.strategy}`);
}

export function strategyWhy(t: T, fmt: Formatter, s: Strategy): string {
  const v = s.vars;
  const n = (x: number | undefined, digits = 0) => fmt.number(x ?? 0, digits);
  switch (s.strategy) {
    case "visual":
      return t("audit.why.visual", { withImage: n(v.withImage), products: n(v.products), withEmbedding: n(v.withEmbedding) });
    case "collaborative":
      return t("audit.why.collaborative", { active: n(v.active), need: n(v.need), density: fmt.fixed(v.density ?? 0, 2), needDensity: n(v.needDensity), twoPlus: n(v.twoPlus) });
    case "demographic":
      return t("audit.why.demographic", { withDemo: n(v.withDemo), customers: n(v.customers), share: fmt.percent(v.share ?? 0, 0), gender: n(v.gender), age: n(v.age), country: n(v.country) });
    case "popularity":
      return t("audit.why.popularity", { purchases: n(v.purchases), browsing: n(v.browsing) });
    case "recency":
      return t((v.browsing ?? 0) > 0 ? "audit.why.recency.yes" : (v.purchases ?? 0) > 0 ? "audit.why.recency.limited" : "audit.why.recency.no");
    case "hybrid":
      return t("audit.why.hybrid", { strong: n(v.strong) });
  }
}
