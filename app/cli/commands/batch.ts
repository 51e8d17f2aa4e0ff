import { CliError, defineCommand, intFlag, nowFlag } from "../command";
import { env } from "../../env.server";
import { ProgressBar } from "../progress";
import { systemClock } from "../../clock";

export default defineCommand({
  name: "batch",
  summary: "Recommendations for every customer (or a segment) into a CSV file",
  help: `
Usage: facet batch --out <file.csv> [--placement home|email|general] [--k 10] [--segment <filter>] [--threads <n>] [--shop <domain>] [--json]

  --out <file>        the CSV to write: customer_id,rank,product_id,score,reasons (reasons in English, joined by |)
  --placement <p>     home | email | general (default home). email skips customers without marketing consent
                      and recommends new arrivals only
  --k <n>             products per customer (default 10)
  --segment <filter>  only customers matching key=value pairs, comma-separated, alternatives with |:
                      keys gender, age_group, country, segment (e.g. "gender=female,country=AT|CH")
  --now <ISO time>    recommend as of this time instead of the clock (recency, new arrivals)
  --threads <n>       worker threads, each with its own snapshot (default: min(2, cores)); the file is the same
  --json              print the summary as JSON

The rows equal what GET /api/recommendations answers for each customer at the same time.
Example: facet batch --placement email --k 6 --out email.csv --segment "segment=vip"
`,
  options: {
    placement: { type: "string" },
    k: { type: "string" },
    out: { type: "string" },
    segment: { type: "string" },
    now: { type: "string" },
    threads: { type: "string" },
  },
  async run({ values }) {
    const shop = (values.shop as string | undefined) ?? env().FACET_SHOP;
    const out = values.out as string | undefined;
    if (!out) throw new CliError("--out <file.csv> is required", 2);
    const placement = (values.placement as string | undefined) ?? "home";
    const k = intFlag(values.k, "k", 10);
    const now = nowFlag(values.now).toISOString();
    const threads = values.threads === undefined ? undefined : intFlag(values.threads, "threads", 2);
    const { default: batch } = await import("../../jobs/batch.server");
    const { BadJobInput } = await import("../../queues/jobs");
    const bar = new ProgressBar("batch", 1, "customers");
    let result;
    try {
      result = await batch(
        { shop, placement, k, out, segment: values.segment as string | undefined, now, threads },
        {
          jobId: `cli-batch-${systemClock.nowMs()}`,
          attempt: 1,
          progress: (fraction, message) => {
            const m = /^(\d+)\/(\d+)/.exec(message ?? "");
            if (m) bar.update(Number(m[1]), Number(m[2]));
            else if (fraction === 0 && message) console.error(message);
          },
          log: (m) => console.error(m),
        },
      );
    } catch (e) {
      if (e instanceof BadJobInput) throw new CliError(e.message, 2);
      throw e;
    }
    bar.done();
    if (values.json) console.log(JSON.stringify({ shop, placement, k, ...result }, null, 2));
    else {
      console.log(`wrote ${result.rows} rows for ${result.customers} customers to ${result.out} in ${result.seconds.toFixed(2)} s (snapshot ${result.loadSeconds.toFixed(2)} s)`);
      if (result.skippedNoConsent) console.log(`skipped ${result.skippedNoConsent} customers without marketing consent`);
      if (result.skippedBySegment) console.log(`skipped ${result.skippedBySegment} customers outside the segment`);
    }
    return 0;
  },
});
