/**
 * Text renderings of an evaluation: the side-by-side table (facet evaluate), and the headline
 * comparison the demo prints. Pure formatting of an EvaluationResult.
 */
import type { RecommenderResult } from "./evaluate";
import type { EvaluationResult } from "./run";

const f = (x: number, d = 4) => (Number.isFinite(x) ? x.toFixed(d) : "-");

/** The side-by-side table, the headline, notes, fairness flags and the tuning summary. */
export function renderReport(r: EvaluationResult, meta: { seconds?: number; cpuSeconds?: number; id?: number | null } = {}): string {
  const lines: string[] = [];
  lines.push(`${r.split_description}; K = ${r.k}; ${r.evaluated_users} of ${r.test_users} test customers evaluated${r.sampled ? " (seeded sample)" : ""}`);
  lines.push("");
  lines.push(table(r.results, r.k));
  lines.push("");
  const h = r.headline;
  const lost = Object.entries(h.beats).filter(([, b]) => !b).map(([n]) => n);
  lines.push(`best blend: ${h.best_blend} (NDCG ${f(h.best_blend_ndcg)}); best single source: ${h.best_single} (NDCG ${f(h.best_single_ndcg)})`);
  lines.push(lost.length === 0 ? "the best blend beats random, popularity and every single source on NDCG" : `the best blend does NOT beat: ${lost.join(", ")}`);
  lines.push(margins(r));
  for (const n of r.notes) lines.push(`note: ${n}`);
  const flags = r.fairness.flatMap((x) => x.flags);
  lines.push("");
  lines.push(flags.length ? `fairness flags (${flags.length}):` : "fairness: no large exposure gaps flagged");
  for (const fl of flags.slice(0, 20)) lines.push(`  - ${fl}`);
  if (flags.length > 20) lines.push(`  ... ${flags.length - 20} more (see --json)`);
  if (r.tuning) {
    lines.push("");
    lines.push("tuning (validation slice of the training period; gain measured once on test):");
    for (const [p, prop] of Object.entries(r.tuning.placements)) {
      const knobs = Object.entries(prop.knobs).map(([n, v]) => `${n} ${v.from}->${v.to}`).join(", ");
      lines.push(`  ${p}: validation NDCG ${f(prop.validation.before)} -> ${f(prop.validation.after)}; test ${f(prop.test.before)} -> ${f(prop.test.after)} (${prop.test.gain >= 0 ? "+" : ""}${f(prop.test.gain)}); ${knobs}`);
      if (prop.warning) lines.push(`    warning: ${prop.warning}`);
    }
    for (const [p, why] of Object.entries(r.tuning.unchanged)) lines.push(`  ${p}: unchanged (${why})`);
    lines.push(
      Object.keys(r.tuning.placements).length > 0
        ? "  stored as a proposal (Setting recommend.proposal) for the merchant to accept"
        : "  nothing to propose: the current settings stay",
    );
  }
  if (meta.seconds !== undefined) {
    const cpu = meta.cpuSeconds !== undefined ? ` (${meta.cpuSeconds.toFixed(1)} s CPU)` : "";
    lines.push("", `took ${meta.seconds.toFixed(1)} s${cpu}${meta.id ? `; saved as evaluation #${meta.id}` : ""}`);
  }
  return lines.join("\n");
}

/** A fixed-width table of the main metrics, one row per recommender. */
export function table(results: readonly RecommenderResult[], k: number): string {
  const head = ["recommender", `P@${k}`, `R@${k}`, `NDCG@${k}`, "NDCG 95% CI", `MAP@${k}`, "hit", "cover", "divers", "novel", "price", "users"];
  const rows = results.map((x) => [
    x.name,
    f(x.precision),
    f(x.recall),
    f(x.ndcg),
    `${f(x.ci.ndcg[0], 3)}-${f(x.ci.ndcg[1], 3)}`,
    f(x.map),
    f(x.hit_rate, 3),
    f(x.coverage, 3),
    f(x.diversity, 3),
    f(x.novelty, 2),
    f(x.price_spread, 2),
    String(x.users),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  return [fmt(head), fmt(widths.map((w) => "-".repeat(w))), ...rows.map(fmt)].join("\n");
}

/**
 * The headline comparison: random, popularity, the single sources and the blends on NDCG, precision
 * and hit rate, and whether the best blend beats every baseline and source.
 */
export function formatHeadline(report: { result: EvaluationResult; seconds?: number; cpuSeconds?: number }): string {
  const r = report.result;
  const lines = [`Offline evaluation (${r.split_description}; K = ${r.k}; ${r.evaluated_users} customers${r.sampled ? ", seeded sample" : ""})`, ""];
  lines.push(table(r.results, r.k));
  const h = r.headline;
  const lost = Object.entries(h.beats).filter(([, b]) => !b).map(([n]) => n);
  const pop = r.results.find((x) => x.name === "popularity");
  lines.push("");
  if (h.best_blend && pop) {
    const rel = pop.ndcg > 0 ? ` (${h.best_blend_ndcg >= pop.ndcg ? "+" : ""}${((h.best_blend_ndcg / pop.ndcg - 1) * 100).toFixed(0)} %)` : "";
    lines.push(`${h.best_blend}: NDCG ${f(h.best_blend_ndcg)} vs popularity ${f(pop.ndcg)}${rel}, best single source ${h.best_single} ${f(h.best_single_ndcg)}`);
  }
  lines.push(verdict(lost, r.headline.margins ?? {}));
  lines.push(margins(r));
  if (report.seconds !== undefined) lines.push(`(evaluation took ${report.seconds.toFixed(1)} s${report.cpuSeconds !== undefined ? `, ${report.cpuSeconds.toFixed(1)} s CPU` : ""})`);
  return lines.join("\n");
}

/**
 * The verdict says both things a merchant needs: whether the blend's NDCG is higher than each
 * other recommender's, and whether that lead is beyond resampling noise (paired 95 % interval
 * above 0) or within it.
 */
export function verdict(lost: string[], m: Record<string, { significant: boolean }>): string {
  const within = Object.entries(m).filter(([name, x]) => !x.significant && !lost.includes(name)).map(([name]) => name);
  if (lost.length > 0) return `The best blend does not beat: ${lost.join(", ")}.`;
  if (within.length === 0) return "The blend beats random, popularity and every single source, each beyond resampling noise.";
  return `The blend's NDCG is higher than random's, popularity's and every single source's; the lead over ${within.join(", ")} is within resampling noise (its interval includes 0).`;
}

/** "margin over X: +0.0142 [0.0031, 0.0260]" for each baseline and source (paired bootstrap). */
function margins(r: EvaluationResult): string {
  const parts = Object.entries(r.headline.margins ?? {}).map(
    ([name, m]) => `${name} ${m.diff >= 0 ? "+" : ""}${f(m.diff)} [${f(m.lo)}, ${f(m.hi)}]${m.significant ? "*" : ""}`,
  );
  return parts.length ? `NDCG margin of ${r.headline.best_blend} over (paired 95 % CI; * = above 0): ${parts.join("; ")}` : "";
}
