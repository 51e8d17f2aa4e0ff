/**
 * The artifact store (issue 16 point 3), both backends on the real database of the run (SQLite, or
 * PostgreSQL with FACET_TEST_DB=postgres). Two "machines" are two data folders over one database:
 * the worker writes in its folder, the web machine reads in another one that shares nothing with it.
 */
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { useTempDatabase } from "../helpers/db";
import { dataDir, resetEnvForTests } from "../../app/env.server";
import { artifactStore, cacheDir, collectArtifacts, stagingDir } from "../../app/artifacts/store.server";
import { collectModelVersions, loadPublishedModel, modelVersionsWithUsers, redactUsers, writeModelVersion } from "../../app/artifacts/modelVersion.server";
import { iterateArtifactChunks, listArtifactRows, CHUNK_BYTES } from "../../app/models/artifact.server";
import { listModelVersions } from "../../app/models/modelVersion.server";
import type { Catalog } from "../../app/recommend/types";
import { rawDb } from "../../app/db.server";
import { redactCustomer, redactShop } from "../../app/models/privacy.server";
import { saveEmbeddings } from "../../app/models/embedding.server";
import { COLOUR_DIM, COLOUR_MODEL_ID } from "../../app/embedding/colour";
import { activeVisualModel, refreshVisualIndex, visualFingerprint, visualKey } from "../../app/embedding/search.server";
import { indexFiles, ProductVectorIndex } from "../../app/embedding/index";
import { writeVisualBundle, loadVisualBundle } from "../../app/serving/bundle.server";
import { loadCatalog } from "../../app/models/catalog.server";
import type { TrainArtifacts } from "../../app/recommend/cf/train";

const db = useTempDatabase();
const SHOP = "facet-artifacts.myshopify.com";

/** Switches this process to one machine's configuration: its own data folder, the given backend. */
function machine(name: string, store: "local" | "database"): string {
  process.env.FACET_DATA_DIR = path.join(db.dir(), name);
  process.env.FACET_ARTIFACT_STORE = store;
  resetEnvForTests();
  return dataDir();
}

afterEach(() => {
  delete process.env.FACET_ARTIFACT_STORE;
  delete process.env.FACET_MODEL_VERSIONS_KEEP;
  resetEnvForTests();
});

function model(users: string[], items: string[]): { catalog: Catalog; artifacts: TrainArtifacts } {
  const f = 2;
  const userFactors = Float32Array.from(users.flatMap((_, i) => [i + 1, i + 1]));
  const itemFactors = Float32Array.from(items.flatMap((_, i) => [10 + i, 10 + i]));
  return {
    catalog: { ids: items } as unknown as Catalog,
    artifacts: {
      cf: { factors: f, userIds: users, userIndex: new Map(users.map((u, i) => [u, i])), userFactors, itemFactors, regularization: 0.1, alpha: 1 },
      boughtTogether: null,
      viewedTogether: null,
      metrics: { loss: 1 },
    },
  };
}

describe("database backend", () => {
  it("a version written on the worker is served on a web machine that shares no disk with it, fetched once by content hash", async () => {
    const workerDir = machine("worker", "database");
    const { catalog, artifacts } = model(["c1", "c2", "c3"], ["p1", "p2"]);
    const written = await writeModelVersion(SHOP, catalog, artifacts, { als: { factors: 2 } });
    expect(written.path.startsWith(path.join(workerDir, "artifact-cache"))).toBe(true);
    expect(fs.existsSync(path.join(workerDir, "models"))).toBe(false); // nothing in the local layout
    const row = (await listModelVersions(SHOP))[0];
    expect(row).toMatchObject({ version: written.version, status: "published", path: `database:model/${written.version}` });

    const webDir = machine("web", "database");
    expect(fs.existsSync(webDir)).toBe(false);
    const loaded = await loadPublishedModel(SHOP);
    expect(loaded!.version).toBe(written.version);
    expect(loaded!.cf!.userIds).toEqual(["c1", "c2", "c3"]);
    expect([...loaded!.cf!.itemFactors]).toEqual([10, 10, 11, 11]);
    const cached = fs.readdirSync(cacheDir(SHOP, "model"));
    expect(cached).toHaveLength(1);
    expect(cached[0]).toMatch(new RegExp(`^${written.version}@[0-9a-f]{20}$`));
    // A second load reads the cache: the database's chunks are not read again (a damaged cache file would show).
    const file = path.join(cacheDir(SHOP, "model"), cached[0], "item_ids.json");
    const stat = fs.statSync(file);
    await loadPublishedModel(SHOP);
    expect(fs.statSync(file).mtimeMs).toBe(stat.mtimeMs);
  });

  it("files larger than a chunk round-trip byte for byte; identical contents are stored once per shop", async () => {
    machine("worker2", "database");
    const big = Buffer.alloc(CHUNK_BYTES * 2 + 123);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7919) % 251;
    for (const name of ["big-a", "big-b"]) {
      const dir = stagingDir({ shop: SHOP, kind: "index", name });
      fs.writeFileSync(path.join(dir, "data.bin"), big);
      fs.writeFileSync(path.join(dir, "manifest.json"), JSON.stringify({ name }));
      artifactStore().publish({ shop: SHOP, kind: "index", name }, dir, new Date());
    }
    const chunks = [...iterateArtifactChunks(SHOP)].filter((c) => c.data.byteLength >= CHUNK_BYTES || c.seq > 0);
    expect(chunks.map((c) => c.seq).sort()).toEqual([0, 1, 2]); // one copy of the big file: three chunks
    machine("web2", "database");
    const dir = artifactStore().fetch({ shop: SHOP, kind: "index", name: "big-b" })!;
    expect(fs.readFileSync(path.join(dir, "data.bin")).equals(big)).toBe(true);
    // Immutable: publishing the name again keeps the first.
    const again = stagingDir({ shop: SHOP, kind: "index", name: "big-a" });
    fs.writeFileSync(path.join(again, "data.bin"), "other");
    fs.writeFileSync(path.join(again, "manifest.json"), "{}");
    const kept = artifactStore().publish({ shop: SHOP, kind: "index", name: "big-a" }, again, new Date());
    expect(fs.readFileSync(path.join(kept, "data.bin")).equals(big)).toBe(true);
    artifactStore().remove(SHOP, "index", ["big-a", "big-b"]);
    expect([...iterateArtifactChunks(SHOP)].some((c) => c.data.byteLength >= CHUNK_BYTES)).toBe(false);
  });

  it("redaction reaches the database: the id and the factor row leave every stored version and its chunks; web machines drop their older copy", async () => {
    machine("worker3", "database");
    const shop = "facet-redact-db.myshopify.com";
    const { catalog, artifacts } = model(["c1", "victim-77", "c3"], ["p1", "p2"]);
    const v = await writeModelVersion(shop, catalog, artifacts, {});
    const web = machine("web3", "database");
    expect((await loadPublishedModel(shop))!.cf!.userIds).toContain("victim-77");
    const before = fs.readdirSync(cacheDir(shop, "model"));
    expect(modelVersionsWithUsers(shop, ["victim-77"])).toEqual([v.version]);

    machine("worker3", "database");
    expect(redactUsers(shop, ["victim-77"])).toEqual([`database:${v.version}`]);
    for (const c of iterateArtifactChunks(shop)) expect(c.data.toString("latin1")).not.toContain("victim-77");
    // The factor row of the victim (2, 2) is gone from the stored factors.
    machine("web3", "database");
    const loaded = (await loadPublishedModel(shop))!;
    expect(loaded.cf!.userIds).toEqual(["c1", "c3"]);
    expect([...loaded.cf!.userFactors]).toEqual([1, 1, 3, 3]);
    const after = fs.readdirSync(cacheDir(shop, "model"));
    expect(after).toHaveLength(1);
    expect(after[0]).not.toBe(before[0]); // a new content hash; the older copy is deleted
    for (const f of fs.readdirSync(path.join(web, "artifact-cache"), { recursive: true }) as string[]) {
      const full = path.join(web, "artifact-cache", f);
      if (fs.statSync(full).isFile()) expect(fs.readFileSync(full).toString("latin1")).not.toContain("victim-77");
    }
    expect(modelVersionsWithUsers(shop, ["victim-77"])).toEqual([]);
  });

  it("customers/redact and shop/redact (app/models/privacy.server.ts) reach the database store and this machine's cache", async () => {
    machine("worker7", "database");
    const shop = "facet-privacy-db.myshopify.com";
    const { catalog, artifacts } = model(["c1", "gone-4242", "c3"], ["p1"]);
    await writeModelVersion(shop, catalog, artifacts, {});
    const report = redactCustomer(shop, { customerId: "gone-4242" });
    expect(report.files.filter((f) => f.startsWith("database:"))).toHaveLength(1);
    for (const c of iterateArtifactChunks(shop)) expect(c.data.toString("latin1")).not.toContain("gone-4242");
    expect((await loadPublishedModel(shop))!.cf!.userIds).toEqual(["c1", "c3"]);
    expect(fs.existsSync(cacheDir(shop))).toBe(true);
    const r = redactShop(shop);
    expect(r.rowsDeleted.Artifact).toBe(1);
    expect(r.rowsDeleted.ArtifactChunk).toBeGreaterThan(0);
    expect([...iterateArtifactChunks(shop)]).toEqual([]);
    expect(fs.existsSync(cacheDir(shop))).toBe(false);
  });

  it("garbage collection keeps the newest FACET_MODEL_VERSIONS_KEEP versions and the published one", async () => {
    machine("worker4", "database");
    process.env.FACET_MODEL_VERSIONS_KEEP = "2";
    resetEnvForTests();
    const shop = "facet-gc.myshopify.com";
    const versions: string[] = [];
    for (let i = 0; i < 4; i++) {
      const { catalog, artifacts } = model([`u${i}`], ["p1"]);
      versions.push((await writeModelVersion(shop, catalog, artifacts, {})).version);
    }
    expect(listArtifactRows(shop, "model").map((r) => r.name)).toEqual([versions[3], versions[2]]);
    expect(await collectModelVersions(shop, 1)).toEqual([versions[2]]);
    expect(listArtifactRows(shop, "model").map((r) => r.name)).toEqual([versions[3]]);
    // Chunks only the collected versions held are gone too.
    expect([...iterateArtifactChunks(shop)].some((c) => c.data.toString("latin1").includes('"u2"'))).toBe(false);
    expect((await loadPublishedModel(shop))!.version).toBe(versions[3]);
  });
});

describe("database backend: the visual index and the serving bundle", () => {
  it("an index built on one worker is installed on another machine instead of being rebuilt; the bundle is fetched by the web machine", async () => {
    const shop = "facet-index-db.myshopify.com";
    const product = rawDb().prepare(`INSERT INTO Product (shop, id, title, category, brand, price, imageUrl, material, stockStatus, createdDate, handle) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    const vectors = Array.from({ length: 40 }, (_, i) => {
      product.run(shop, `P${i}`, `Ring ${i}`, "rings", "Facet", 30 + i, `https://img.example/P${i}.jpg`, "Silber", "in_stock", "2026-01-01T00:00:00.000Z", `ring-${i}`);
      return { productId: `P${i}`, vector: Float32Array.from({ length: COLOUR_DIM }, (_, j) => 1 + Math.sin(i * 31 + j * 7)) };
    });
    saveEmbeddings(shop, COLOUR_MODEL_ID, vectors);
    machine("worker5", "database");
    const built = refreshVisualIndex(shop)!;
    expect(built.added).toBe(40);
    const written = await writeVisualBundle(shop, { neighbours: 5 });
    expect(written!.written).toBe(true);
    expect(listArtifactRows(shop, "index")).toHaveLength(1);
    expect(listArtifactRows(shop, "bundle")).toHaveLength(1);

    // Another worker (its own data folder): the index is installed, not rebuilt.
    machine("worker6", "database");
    const key = visualKey(activeVisualModel(shop)!);
    expect(ProductVectorIndex.load(shop, key)).toBeNull();
    const installed = refreshVisualIndex(shop)!;
    expect(installed).toMatchObject({ added: 0, rebuilt: false, total: 40 });
    expect(ProductVectorIndex.load(shop, key)!.meta.fingerprint).toBe(visualFingerprint(shop));
    expect(fs.readFileSync(indexFiles(shop, key).graph).byteLength).toBeGreaterThan(0);

    // A web machine reads the bundle from the database.
    machine("web6", "database");
    const bundle = await loadVisualBundle(shop, loadCatalog(shop));
    expect(bundle!.bundleDir.startsWith(cacheDir(shop, "bundle"))).toBe(true);
    expect(bundle!.neighbours(0)!.items.length).toBe(5);
  });
});

describe("local backend (the default)", () => {
  it("writes versions into the data folder, collects the oldest, redacts in place", async () => {
    const dir = machine("single", "local");
    process.env.FACET_MODEL_VERSIONS_KEEP = "2";
    resetEnvForTests();
    const shop = "facet-local.myshopify.com";
    const versions: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { catalog, artifacts } = model(["a", `victim-${i}`], ["p1"]);
      const w = await writeModelVersion(shop, catalog, artifacts, {});
      expect(w.path).toBe(path.join(dir, "models", shop, w.version));
      versions.push(w.version);
    }
    expect(fs.readdirSync(path.join(dir, "models", shop)).sort()).toEqual(versions.slice(1).sort());
    expect(listArtifactRows(shop, "model")).toEqual([]); // nothing in the database
    expect(redactUsers(shop, ["victim-2"])).toEqual([`local:${versions[2]}`]);
    expect(redactUsers(shop, ["victim-1"])).toEqual([`local:${versions[1]}`]); // the older one's files are now the newest on disk
    expect((await loadPublishedModel(shop))!.cf!.userIds).toEqual(["a"]);
    // A redaction rewrites files, not the order: the oldest is still the one collected next.
    expect(collectArtifacts(shop, "model", 1)).toEqual([versions[1]]);
    expect(collectArtifacts(shop, "model", 5)).toEqual([]);
  });
});
