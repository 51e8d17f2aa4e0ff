import { CliError, defineCommand, intFlag } from "../command";
import { env } from "../../env.server";

export default defineCommand({
  name: "similar",
  summary: "Products that look like a given product (image embeddings, colour descriptor)",
  help: `
Usage: facet similar --product <id> [--k 8] [--in-stock] [--category same|any] [--price-band <f>] [--exact] [--shop <domain>] [--json]

  --product <id>      the product to start from (required)
  --k <n>             how many (default 8)
  --in-stock          only products in stock
  --category same|any only the product's category, or any (default any)
  --price-band <f>    only prices within +-f of the product's price (0.3 = +-30%)
  --exact             scan all vectors instead of the index (to compare)
  --json              print JSON on stdout

Run \`facet embed\` first. Example: facet similar --product P1 --k 5 --in-stock --category same --json
`,
  options: {
    product: { type: "string" },
    k: { type: "string" },
    "in-stock": { type: "boolean" },
    category: { type: "string" },
    "price-band": { type: "string" },
    exact: { type: "boolean" },
  },
  async run({ values }) {
    const shop = (values.shop as string | undefined) ?? env().FACET_SHOP;
    const productId = values.product as string | undefined;
    if (!productId) throw new CliError("--product <id> is required (a product id of the shop)", 2);
    const k = intFlag(values.k, "k", 8);
    const category = (values.category as string | undefined) ?? "any";
    if (category !== "same" && category !== "any") throw new CliError(`--category must be "same" or "any" (got "${category}")`, 2);
    let band: number | null = null;
    if (values["price-band"] !== undefined) {
      band = Number(values["price-band"]);
      if (!Number.isFinite(band) || band < 0) throw new CliError(`--price-band must be a number >= 0 such as 0.3 (got "${values["price-band"]}")`, 2);
    }
    const { loadCatalog } = await import("../../models/catalog.server");
    const { loadVisualSearch } = await import("../../embedding/search.server");
    const catalog = loadCatalog(shop);
    const item = catalog.index.get(productId);
    if (item === undefined) throw new CliError(`product "${productId}" is not in shop ${shop} (or is deleted). Check the id with \`facet audit\`.`);
    const search = await loadVisualSearch(shop, catalog);
    if (!search) throw new CliError(`shop ${shop} has no product vectors yet: run \`facet embed --shop ${shop}\` first.`);
    const query = search.vector(item);
    if (!query) throw new CliError(`product "${productId}" has no vector (its images failed or it was added after the last \`facet embed\`): run \`facet embed\` and check its failures.`);
    const price = catalog.price[item];
    const accept = (j: number) =>
      j !== item &&
      (!values["in-stock"] || catalog.inStock[j] === 1) &&
      (category === "any" || catalog.category[j] === catalog.category[item]) &&
      (band === null || Math.abs(catalog.price[j] - price) <= band * price);
    let hits = search.searchWhere(query, k, accept);
    if (values.exact) {
      // Same filters, scanning every product (index-free): for comparing with the index's answer.
      const { dot } = await import("../../recommend/vector");
      const all: { item: number; score: number }[] = [];
      for (let j = 0; j < catalog.ids.length; j++) {
        const v = accept(j) ? search.vector(j) : null;
        if (v) all.push({ item: j, score: dot(query, v) });
      }
      hits = all.sort((a, b) => b.score - a.score).slice(0, k);
    }
    const results = hits.map((h, rank) => ({
      rank: rank + 1,
      productId: catalog.ids[h.item],
      title: catalog.title[h.item],
      category: catalog.category[h.item],
      price: catalog.price[h.item],
      inStock: catalog.inStock[h.item] === 1,
      score: Number(h.score.toFixed(4)),
    }));
    const out = {
      shop,
      product: { productId, title: catalog.title[item], category: catalog.category[item], price },
      model: { modelId: search.modelId, kind: search.kind, key: search.key, dim: search.dim, search: values.exact ? "exact-scan" : search.exact ? "exact" : "hnsw" },
      note: search.note,
      filters: { inStock: values["in-stock"] === true, category, priceBand: band },
      results,
    };
    if (values.json) {
      console.log(JSON.stringify(out, null, 2));
      return 0;
    }
    console.log(`Looks like ${productId} "${out.product.title}" (${out.product.category}, ${price.toFixed(2)}) — ${search.kind === "onnx" ? `image model ${search.modelId} + colour` : "colour descriptor only"}:`);
    if (search.note) console.log(`  note: ${search.note}`);
    for (const r of results) console.log(`  ${String(r.rank).padStart(2)}. ${r.productId.padEnd(14)} ${r.score.toFixed(3)}  ${r.title} (${r.category}, ${r.price.toFixed(2)}${r.inStock ? "" : ", out of stock"})`);
    if (results.length === 0) console.log("  (nothing matches the filters)");
    return 0;
  },
});
