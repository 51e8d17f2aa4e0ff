/**
 * The orchestration end to end on a tiny imported shop: evaluateShop loads from the database,
 * trains through the real trainArtifacts (spied on: it must only ever get events before the cut),
 * saves the result per model version and the tuning proposal.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it, vi } from "vitest";
import { useTempDatabase } from "../helpers/db";

const trained: { maxAt: number; length: number }[] = [];
vi.mock("../../app/recommend/cf/train", async (importOriginal) => {
  const real = await importOriginal<typeof import("../../app/recommend/cf/train")>();
  return {
    ...real,
    trainArtifacts: (...args: Parameters<typeof real.trainArtifacts>) => {
      const events = args[1];
      let maxAt = -Infinity;
      for (let i = 0; i < events.length; i++) maxAt = Math.max(maxAt, events.at[i]);
      trained.push({ maxAt, length: events.length });
      return real.trainArtifacts(...args);
    },
  };
});

const db = useTempDatabase();
const SHOP = "eval-test.myshopify.com";

function writeShop(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  const cats = ["rings", "necklaces", "earrings"];
  const metals = ["Silber", "Gold", "Rosé"];
  const products = ["product_id,title,category,brand,price,image_url,material,stock_status,created_date"];
  for (let i = 0; i < 30; i++) products.push(`P${i},Schmuck ${i},${cats[Math.floor(i / 10)]},Facet,${20 + i * 7}.00,https://example.com/${i}.png,${metals[i % 3]},in_stock,2024-01-01`);
  const customers = ["customer_id,registration_date,gender,age,age_group,location_country,last_active_date,marketing_consent"];
  const interactions = ["interaction_id,customer_id,product_id,interaction_type,timestamp"];
  let n = 0;
  for (let u = 0; u < 20; u++) {
    customers.push(`C${u},2023-01-01,${u % 2 ? "male" : "female"},${20 + u * 2},${["18-25", "26-35", "36-45", "46+"][u % 4]},${["DE", "AT", "CH"][u % 3]},2024-11-01,true`);
    for (let j = 0; j < 10; j++) {
      const p = (u % 3) + 3 * ((u * 7 + j * 3) % 10);
      interactions.push(`X${n++},C${u},P${p},${["view", "click", "add_to_cart", "purchase"][j % 4]},2024-${String(1 + j).padStart(2, "0")}-${String(1 + u).padStart(2, "0")} 10:00:00`);
    }
  }
  fs.writeFileSync(path.join(dir, "products.csv"), products.join("\n") + "\n");
  fs.writeFileSync(path.join(dir, "customers.csv"), customers.join("\n") + "\n");
  fs.writeFileSync(path.join(dir, "interactions.csv"), interactions.join("\n") + "\n");
}

describe("evaluateShop", () => {
  it("trains only on events before the cut, saves the result and the proposal", async () => {
    const dir = path.join(db.dir(), "shop");
    writeShop(dir);
    const { importFolder } = await import("../../app/import/importFolder.server");
    const imported = await importFolder({ shop: SHOP, dir });
    expect(imported.ok).toBe(true);

    const { evaluateShop } = await import("../../app/jobs/evaluate.server");
    const cut = Date.parse("2024-08-01T00:00:00Z");
    const out = await evaluateShop(SHOP, { k: 5, split: "temporal", cut, tune: true, placements: ["home", "general"] });
    expect(trained.length).toBeGreaterThanOrEqual(2); // the evaluation world and the validation world
    for (const t of trained) {
      expect(t.length).toBeGreaterThan(0);
      expect(t.maxAt).toBeLessThan(cut);
    }
    const r = out.result;
    expect(r.results.map((x) => x.name)).toEqual(["random", "popularity", "visual", "collaborative", "bought-together", "demographic", "recency", "recent-popularity", "blend:home", "blend:general"]);
    for (const x of r.results) expect(typeof x.ndcg).toBe("number");
    expect(r.test_users).toBeGreaterThan(0);

    const { latestEvaluation, loadProposal } = await import("../../app/models/evaluation.server");
    const saved = await latestEvaluation<typeof r>(SHOP);
    expect(saved?.id).toBe(out.id);
    expect(saved?.result.results).toHaveLength(10);
    expect(saved?.modelVersionId).toBeNull();
    const proposal = await loadProposal(SHOP);
    if (Object.keys(r.tuning!.placements).length > 0) {
      expect(proposal?.status).toBe("proposed");
      expect(proposal?.split).toBe("temporal");
      expect(proposal?.placements).toEqual(JSON.parse(JSON.stringify(r.tuning!.placements)));
    } else {
      expect(proposal).toBeNull(); // nothing to propose: nothing stored
    }
  });

  it("facet evaluate --json prints the contract's object; a holdout file is read and checked", async () => {
    const { main } = await import("../../app/cli/main");
    const printed: string[] = [];
    const log = vi.spyOn(console, "log").mockImplementation((m: unknown) => void printed.push(String(m)));
    const err = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const holdout = path.join(db.dir(), "holdout.csv");
      fs.writeFileSync(holdout, "customer_id,product_id\nC1,P4\nC2,P5\nC404,P1\n");
      expect(await main(["evaluate", "--shop", SHOP, "--k", "5", "--split", "holdout", holdout, "--placements", "home", "--json", "--no-save"])).toBe(0);
      const out = JSON.parse(printed.join("\n"));
      expect(out.k).toBe(5);
      expect(out.split).toBe("holdout");
      expect(out.results.map((r: { name: string }) => r.name)).toContain("blend:home");
      for (const r of out.results) for (const key of ["name", "precision", "recall", "ndcg", "map", "hit_rate", "coverage", "diversity", "novelty", "users"]) expect(r).toHaveProperty(key);
      expect(out.notes.join(" ")).toMatch(/holdout\.csv:4: customer C404/);

      fs.writeFileSync(holdout, "customer_id,product_id\nC1\n");
      expect(await main(["evaluate", "--shop", SHOP, "--split", "holdout", holdout])).toBe(1);
      expect(err.mock.calls.flat().join(" ")).toMatch(/holdout\.csv:2:/);
      expect(await main(["evaluate", "--shop", SHOP, "--split", "sideways"])).toBe(2);
    } finally {
      log.mockRestore();
      err.mockRestore();
    }
  });
  it("saves each evaluation under the model version published at the time", async () => {
    const { prisma } = await import("../../app/db.server");
    const { MODEL_KIND } = await import("../../app/models/modelVersion.server");
    const { latestEvaluation } = await import("../../app/models/evaluation.server");
    const { evaluateShop } = await import("../../app/jobs/evaluate.server");
    const before = await latestEvaluation(SHOP); // saved by the first test, without a model
    expect(before?.modelVersionId).toBeNull();
    const mv = await prisma().modelVersion.create({ data: { shop: SHOP, kind: MODEL_KIND, version: "v-eval-test", path: "unused", status: "published", publishedAt: new Date() } });
    const cut = Date.parse("2024-08-01T00:00:00Z");
    const out = await evaluateShop(SHOP, { k: 5, split: "temporal", cut, placements: ["home"] });
    expect(out.modelVersionId).toBe(mv.id);
    expect((await latestEvaluation(SHOP, { modelVersionId: mv.id }))?.id).toBe(out.id);
    expect((await latestEvaluation(SHOP, { modelVersionId: null }))?.id).toBe(before!.id); // the older numbers stay with no model
  });
});
