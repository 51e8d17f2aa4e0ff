import { env } from "../../env.server";
import { defineCommand } from "../command";

export default defineCommand({
  name: "audit",
  summary: "Answer the data questions (customers, orders/month, browsing, history, gaps) and say which strategies are viable",
  help: `
Usage: facet audit [--shop <domain>] [--json]

Reads the shop's imported data and answers SEED.md's "questions to answer before building":
customers (>= 1000 for collaborative filtering), orders per month, whether browsing interactions
exist, months of history (>= 6), missing values and duplicates per column; then says which
strategies (visual, collaborative, demographic, popularity, recency, hybrid) are viable now.

Flags:
  --shop <domain>   the shop (default: $FACET_SHOP)
  --json            one JSON object: {shop, facts, questions, strategies, dataQuality}

Example: facet audit --shop demo.myshopify.com --json
`,
  options: {},
  async run({ values }) {
    const shop = (values.shop as string | undefined) ?? env().FACET_SHOP;
    const { auditFacts } = await import("../../models/audit.server");
    const { auditReport } = await import("../../import/audit");
    const report = auditReport(shop, auditFacts(shop));
    if (values.json) {
      console.log(JSON.stringify(report, null, 2));
      return 0;
    }
    console.log(`Data audit for ${shop}\n`);
    const f = report.facts;
    if (f.products + f.customers + f.orders + Object.keys(f.interactionsByType).length === 0) {
      console.log(`No data for ${shop} yet: import it first (facet import <dir> --shop ${shop}).\n`);
    }
    for (const q of report.questions) console.log(`${q.ok ? "[ok]  " : "[gap] "} ${q.question}\n        ${q.answer}`);
    console.log("\nStrategies viable now:");
    const mark = { yes: "yes    ", limited: "limited", no: "no     " };
    for (const s of report.strategies) console.log(`  ${s.strategy.padEnd(14)} ${mark[s.viable]}  ${s.why}`);
    const empty = report.dataQuality.filter((c) => c.missing === c.rows);
    const partly = report.dataQuality.filter((c) => c.missing < c.rows);
    if (empty.length) {
      console.log("\nEmpty columns (no value in any row):");
      const byTable = new Map<string, string[]>();
      for (const c of empty) byTable.set(c.table, [...(byTable.get(c.table) ?? []), c.column]);
      for (const [t, cols] of byTable) console.log(`  ${t}: ${cols.join(", ")}`);
    }
    if (partly.length) {
      console.log("\nMissing values and duplicates (per column):");
      console.log(`  ${"table.column".padEnd(32)} ${"missing".padStart(9)} ${"%".padStart(6)} ${"dupes".padStart(7)}`);
      for (const c of partly.slice(0, 40)) {
        console.log(`  ${`${c.table}.${c.column}`.padEnd(32)} ${String(c.missing).padStart(9)} ${c.missingPct.toFixed(1).padStart(6)} ${String(c.duplicates ?? "").padStart(7)}`);
      }
      if (partly.length > 40) console.log(`  ... ${partly.length - 40} more (see --json)`);
    }
    return 0;
  },
});
