import path from "node:path";
import { CliError, defineCommand, intFlag, nowFlag } from "../command";
import { env } from "../../env.server";

const HELP = `
Usage: facet campaign <action> [args] [--shop <domain>] [--json]

  list                          the shop's stored campaigns (schedule, last run, last export)
  save --name <text> --kind new-arrivals|complete-your-look [--segment <filter>] [--days <n>] [--k <n>]
       [--schedule daily|weekly|none] [--id <campaign id>]
                                stores a campaign (or updates --id); with REDIS_URL a scheduled one gets a
                                repeatable job (BullMQ job scheduler)
  build --kind <kind> [--segment <filter>] [--days <n>] [--k <n>] [--out <file.json|file.csv>]
                                builds recipients now without storing anything (preview; summary, or the
                                JSON document with --json, or a file with --out)
  run <id>                      builds a stored campaign and writes <data dir>/exports/<shop>/<id>-<time>.json and .csv
  run --due                     runs every scheduled campaign that is due, of every shop unless --shop is given
                                (daily: 24 h, weekly: 7 days after its last run). Without Redis, run this
                                from cron, e.g. hourly:
                                0 * * * *  cd /srv/facet && npm run -s facet -- campaign run --due
  export <id> --format csv|json [--out <file>]
                                builds a stored campaign and prints (or writes) one export
  --now <ISO time>              compute for this time instead of the clock (new arrivals, due schedules,
                                run file names), e.g. 2026-12-01T08:00:00Z

  kinds: new-arrivals     "New arrivals you'll love": 50 % demographic + 50 % visual similarity to past
                          purchases, products created in the last --days (default 30), --k per customer (6)
         complete-your-look  customers with an abandoned checkout (checkouts webhooks, updated in the last
                          --days): 80 % visual + 20 % cross-sell from the checkout's products
  --segment: conditions separated by ; (alternatives by ,) or by , (alternatives by |); keys gender,
             age_group (age), country, segment and ltv>=N / ltv<=N, e.g.
             "segment=vip;gender=female;age=26-35,36-45;country=DE;ltv>=500"
  Only customers with marketing consent are included; the export has customer_id, email_hash (sha256),
  rank, product_id, title, price, image, url, reasons.

Example: facet campaign save --name "VIP new arrivals" --kind new-arrivals --segment "segment=vip;gender=female" --schedule weekly
`;

export default defineCommand({
  name: "campaign",
  summary: "Email campaigns (new arrivals, complete your look): save, build, run, export",
  help: HELP,
  options: {
    name: { type: "string" },
    kind: { type: "string" },
    segment: { type: "string" },
    days: { type: "string" },
    k: { type: "string" },
    schedule: { type: "string" },
    id: { type: "string" },
    out: { type: "string" },
    format: { type: "string" },
    due: { type: "boolean" },
    now: { type: "string" },
  },
  async run({ values, positionals }) {
    const shop = (values.shop as string | undefined) ?? env().FACET_SHOP;
    const [action, id] = positionals;
    const json = values.json === true;
    const now = nowFlag(values.now);
    const c = await import("../../campaigns/campaigns.server");
    const print = (v: unknown, text: string) => console.log(json ? JSON.stringify(v, null, 2) : text);
    const spec = () => {
      if (!values.kind) throw new CliError("--kind new-arrivals|complete-your-look is required", 2);
      return {
        kind: values.kind as "new-arrivals",
        ...(values.segment ? { segment: values.segment as string } : {}),
        ...(values.days !== undefined ? { days: intFlag(values.days, "days", 30) } : {}),
        ...(values.k !== undefined ? { k: intFlag(values.k, "k", 6) } : {}),
      };
    };
    const needId = () => {
      if (!id) throw new CliError(`facet campaign ${action} needs the campaign id (see facet campaign list)`, 2);
      return id;
    };
    try {
      switch (action) {
        case "list": {
          const rows = await c.listCampaigns(shop);
          print(rows, rows.length ? rows.map((r) => `${r.id}  ${r.spec.kind.padEnd(18)} ${(r.schedule ?? "manual").padEnd(7)} last run ${r.lastRunAt?.toISOString() ?? "never"}  ${r.name}`).join("\n") : "no campaigns");
          return 0;
        }
        case "save": {
          if (!values.name) throw new CliError("save needs --name", 2);
          const row = await c.saveCampaign(shop, { id: values.id as string | undefined, name: values.name as string, spec: spec(), schedule: (values.schedule as string | undefined) ?? null });
          print(row, `saved ${row.id} (${row.schedule ?? "run by hand"})`);
          return 0;
        }
        case "build": {
          const result = await c.buildCampaign(shop, spec(), now);
          const out = values.out as string | undefined;
          if (out) c.writeCampaignExport(shop, out, c.exportCampaign(result, out.endsWith(".csv") ? "csv" : "json"), now);
          print(result, summary(result) + (out ? `; wrote ${out}` : ""));
          return 0;
        }
        case "run": {
          if (values.due) {
            const due = await c.dueCampaigns(values.shop as string | undefined, now);
            const runs = [];
            for (const row of due) runs.push({ id: row.id, shop: row.shop, ...(await c.runCampaign(row.shop, row.id, now)) });
            print(runs, runs.length ? runs.map((r) => `${r.shop} ${r.id}: ${r.recipients} recipients -> ${r.path}`).join("\n") : "no campaign is due");
            return 0;
          }
          const run = await c.runCampaign(shop, needId(), now);
          print(run, `${run.recipients} recipients -> ${run.path} (and ${path.basename(run.csvPath)}); skipped ${run.skipped.noConsent} without consent, ${run.skipped.outsideSegment} outside the segment, ${run.skipped.noProducts} without products`);
          return 0;
        }
        case "export": {
          const format = (values.format as string | undefined) ?? "json";
          if (format !== "csv" && format !== "json") throw new CliError("--format must be csv or json", 2);
          const row = await c.getCampaign(shop, needId());
          if (!row) throw new CliError(`no campaign ${id} in ${shop}`);
          const text = c.exportCampaign(await c.buildCampaign(shop, row.spec, now), format);
          if (values.out) c.writeCampaignExport(shop, values.out as string, text, now);
          else process.stdout.write(text);
          return 0;
        }
        default:
          throw new CliError(`unknown action ${JSON.stringify(action ?? "")}: list, save, build, run or export`, 2);
      }
    } catch (e) {
      if (e instanceof CliError) throw e;
      throw new CliError((e as Error).message, 1);
    }
  },
});

function summary(r: { recipients: unknown[]; skipped: { noConsent: number; outsideSegment: number; noProducts: number } }): string {
  return `${r.recipients.length} recipients; skipped ${r.skipped.noConsent} without consent, ${r.skipped.outsideSegment} outside the segment, ${r.skipped.noProducts} without products`;
}
