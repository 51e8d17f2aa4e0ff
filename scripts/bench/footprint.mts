/**
 * Rows and bytes of every table of the database at DATABASE_URL (app/models/schemaInfo.server.ts
 * tableFootprint: dbstat on SQLite, pg_total_relation_size on PostgreSQL), for the bench's growth step.
 *   DATABASE_URL=... node --import tsx scripts/bench/footprint.mts
 * Prints one JSON line: { tables: [{ table, rows, bytes }], rows, bytes }.
 */
import { closeDb } from "../../app/db.server.ts";
import { tableFootprint } from "../../app/models/schemaInfo.server.ts";

const tables = tableFootprint();
await closeDb();
console.log(JSON.stringify({ bench: "footprint", tables, rows: tables.reduce((a, t) => a + t.rows, 0), bytes: tables.reduce((a, t) => a + t.bytes, 0) }));
