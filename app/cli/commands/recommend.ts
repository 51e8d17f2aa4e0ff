import { CliError, defineCommand, intFlag } from "../command";
import { env } from "../../env.server";
import { PLACEMENTS, type Placement } from "../../recommend/types";

export default defineCommand({
  name: "recommend",
  summary: "Recommendations for a customer, a product page or a cart (the API's answer, in the terminal)",
  help: `
Usage: facet recommend (--customer <id> | --product <id> | --cart <id,id>) [--placement <p>] [--k 8]
                       [--locale en|de] [--gift] [--recent <id,id>] [--shop <domain>] [--json]

  --customer <id>     the customer (unknown or absent: an anonymous shopper)
  --product <id>      the product being viewed (placement product)
  --cart <ids>        the cart's product ids, comma-separated (placement cart)
  --placement <p>     product | home | cart | email | general
                      (default: product with --product, cart with --cart, else home)
  --k <n>             how many (default 8)
  --locale en|de      language of the reasons (default en)
  --gift              a gift: no price band, no gender targeting
  --recent <ids>      an anonymous session's latest views, oldest first
  --json              print the API's JSON on stdout

Works before any training (demographic, popularity and visual signals only).
Example: facet recommend --customer C1 --placement home --k 5 --json
`,
  options: {
    customer: { type: "string" },
    product: { type: "string" },
    cart: { type: "string" },
    placement: { type: "string" },
    k: { type: "string" },
    locale: { type: "string" },
    gift: { type: "boolean" },
    recent: { type: "string" },
  },
  async run({ values }) {
    const shop = (values.shop as string | undefined) ?? env().FACET_SHOP;
    const customerId = (values.customer as string | undefined) ?? null;
    const productId = (values.product as string | undefined) ?? null;
    const cart = splitIds(values.cart as string | undefined);
    const placement = ((values.placement as string | undefined) ?? (productId ? "product" : cart.length ? "cart" : "home")) as Placement;
    if (!PLACEMENTS.includes(placement)) throw new CliError(`--placement must be one of ${PLACEMENTS.join(", ")} (got "${placement}")`, 2);
    if (!customerId && !productId && cart.length === 0 && !values.recent) throw new CliError("give --customer <id>, --product <id> or --cart <ids> (see facet recommend --help)", 2);
    const k = intFlag(values.k, "k", 8);
    const locale = (values.locale as string | undefined) ?? "en";
    if (locale !== "en" && locale !== "de") throw new CliError(`--locale must be en or de (got "${locale}")`, 2);

    const { buildSnapshot } = await import("../../serving/snapshot.server");
    const { respond, RecommendInputError } = await import("../../serving/recommend.server");
    const snapshot = await withNotes(() => buildSnapshot(shop));
    if (snapshot.signals.products === 0) throw new CliError(`shop ${shop} has no products: run \`facet import <dir> --shop ${shop}\` first`);
    if (customerId && !snapshot.world.profiles.has(customerId) && !snapshot.world.histories.has(customerId)) {
      console.error(`note: customer "${customerId}" is unknown in ${shop}: showing what a new shopper would get`);
    }
    const started = performance.now();
    let res;
    try {
      res = respond(snapshot, { shop, placement, customerId, productId, cart, limit: k, locale, gift: values.gift === true, recent: splitIds(values.recent as string | undefined), now: snapshot.builtAt });
    } catch (e) {
      if (e instanceof RecommendInputError) throw new CliError(e.message, 2);
      throw e;
    }
    const ms = performance.now() - started;
    if (values.json) {
      console.log(JSON.stringify({ ...res, signals: snapshot.signals, timings: { loadMs: round(snapshot.loadMs), buildMs: round(snapshot.buildMs), requestMs: round(ms) } }, null, 2));
      return 0;
    }
    const s = snapshot.signals;
    console.log(`${placement} for ${customerId ?? "an anonymous shopper"}${productId ? ` on ${productId}` : ""}${cart.length ? ` with cart ${cart.join(",")}` : ""} (${shop})`);
    console.log(`model ${res.modelVersion ?? "none yet"}; signals: visual ${s.visual ? "yes" : "no"}, collaborative ${s.collaborative ? "yes" : "no"}, ${s.events} events`);
    if (res.products.length === 0) console.log("(no products pass the rules)");
    res.products.forEach((p, i) => {
      console.log(`${String(i + 1).padStart(3)}. ${p.id.padEnd(14)} ${p.score.toFixed(4)}  ${p.price.toFixed(2)} ${p.currency}  ${p.title}`);
      if (p.reasons.length) console.log(`      ${p.reasons.join("; ")}`);
    });
    console.error(`snapshot ${round(snapshot.loadMs + snapshot.buildMs)} ms, request ${round(ms)} ms`);
    return 0;
  },
});

/**
 * Loaders may log notes on stderr (e.g. "[visual] colour descriptor only"); a line starting with "["
 * looks like JSON to scripts that search the combined output for the document, so notes are
 * re-emitted as "note: ..." lines.
 */
async function withNotes<T>(f: () => Promise<T>): Promise<T> {
  const original = console.error;
  const notes: string[] = [];
  console.error = (...args: unknown[]) => void notes.push(args.map(String).join(" "));
  try {
    return await f();
  } finally {
    console.error = original;
    for (const n of notes) console.error(`note: ${n}`);
  }
}

function splitIds(v: string | undefined): string[] {
  return v ? v.split(",").map((s) => s.trim()).filter(Boolean) : [];
}

const round = (x: number) => Math.round(x * 10) / 10;
