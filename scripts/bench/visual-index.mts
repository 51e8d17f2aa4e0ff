/**
 * The shop's visual index built from scratch from its stored vectors (what `facet embed --force`
 * does after embedding): reading the vectors from the database, the PCA fit above PCA_MIN_ITEMS,
 * the HNSW build and the files. Run before serving so that the server loads a ready index.
 *   DATABASE_URL=... FACET_DATA_DIR=... node --import tsx scripts/bench/visual-index.mts <shop>
 * Prints one JSON line.
 */
import { closeDb } from "../../app/db.server.ts";
import { refreshVisualIndex } from "../../app/embedding/search.server.ts";

const shop = process.argv[2];
if (!shop) throw new Error("usage: visual-index.mts <shop>");
const t0 = performance.now();
const c0 = process.cpuUsage();
const stats = refreshVisualIndex(shop, { force: true });
const c = process.cpuUsage(c0);
await closeDb();
console.log(JSON.stringify({ bench: "visual-index", ...stats, seconds: +((performance.now() - t0) / 1000).toFixed(2), cpuSeconds: +((c.user + c.system) / 1e6).toFixed(2) }));
