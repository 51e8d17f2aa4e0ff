/**
 * What the serving snapshot's memory is made of: RSS, V8 heap and array buffers after loading each
 * part of a shop the way buildSnapshot does (catalogue, customer profiles, events, published model,
 * visual index), each kept alive, with full garbage collections in between; or (no argument) after
 * buildSnapshot as a whole.
 *   DATABASE_URL=file:bench-out/full/bench.db FACET_DATA_DIR=bench-out/full/data \
 *     node --expose-gc --import tsx scripts/bench/memory.mts [parts] [shop]
 */
import { loadCatalog } from "../../app/models/catalog.server.ts";
import { loadCustomerProfiles } from "../../app/models/customerProfile.server.ts";
import { loadEventTable } from "../../app/models/events.server.ts";
import { loadVisualSearch } from "../../app/embedding/search.server.ts";
import { alignToCatalog, loadPublishedModel } from "../../app/artifacts/modelVersion.server.ts";
import { buildSnapshot } from "../../app/serving/snapshot.server.ts";
import { closeDb } from "../../app/db.server.ts";

const parts = process.argv[2] === "parts";
const shop = process.argv[parts ? 3 : 2] ?? "bench.myshopify.com";
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with node --expose-gc");
const mb = (x: number) => Math.round((x / 2 ** 20) * 10) / 10;
const rows: Record<string, unknown>[] = [];
const measure = (after: string) => {
  gc();
  gc();
  const u = process.memoryUsage();
  rows.push({ after, rssMB: mb(u.rss), heapUsedMB: mb(u.heapUsed), heapTotalMB: mb(u.heapTotal), externalMB: mb(u.external), arrayBuffersMB: mb(u.arrayBuffers) });
};
const keep: unknown[] = [];
measure("start");
if (parts) {
  const catalog = loadCatalog(shop);
  keep.push(catalog);
  measure("catalogue");
  keep.push(loadCustomerProfiles(shop));
  measure("customer profiles");
  keep.push(loadEventTable(shop, catalog));
  measure("events");
  const model = await loadPublishedModel(shop);
  keep.push(model && alignToCatalog(model, catalog));
  measure("published model");
  keep.push(await loadVisualSearch(shop, catalog));
  measure("visual index");
} else {
  keep.push(await buildSnapshot(shop));
  measure("buildSnapshot");
}
await closeDb();
for (const r of rows) console.log(JSON.stringify(r));
