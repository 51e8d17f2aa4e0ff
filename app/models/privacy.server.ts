/**
 * GDPR / Shopify compliance: customers/redact, customers/data_request, shop/redact, app/uninstalled.
 *
 * What a customer redaction removes, at once (one transaction for the database, then the files):
 * - the profile (Customer, matched by id, email or email hash);
 * - every row of every table that names the customer or one of their pixel client ids in a column
 *   called customerId, clientId or shopper (Interaction, ClientLink, RecommendationEvent,
 *   ExperimentExposure, and any table added later that follows the naming);
 * - orders stay as anonymous sales (customerId and email set to null, line items kept): the
 *   merchant's sales totals and product popularity are not personal data once unlinked, and
 *   Shopify's redact payload lists the orders so their personal fields go (orders_to_redact);
 * - job rows (JobRun) whose payload, result, message or error mention the id or the email are
 *   scrubbed (a webhook sync job carries the customer's JSON);
 * - files: the user's factor row and id in every model version, wherever the artifact store keeps
 *   it (the data folder, or the database shared by the machines: app/artifacts/modelVersion.server.ts
 *   redactUsers, the format's owner, rewrites each version atomically); every file of the export
 *   registry (app/models/exportFile.server.ts: batch --out CSVs wherever written, campaign exports:
 *   rewritten without the customer's lines; data-request exports about them: deleted), plus the
 *   `out` of batch job rows still kept and whatever lies in `${dataDir()}/batch|exports/<shop>`;
 * - a hashed tombstone (never the id) keeps a late retry of customers/update from re-creating them.
 * `findCustomerTraces` scans every text column of every table afterwards; the job reports the hits
 * (none expected) and the tests assert that there are none.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { rawDb, rawDialect } from "../db.server";
import { listTables, tableColumns } from "./schemaInfo.server";
import { dataDir } from "../env.server";
import { addTombstone } from "./sync.server";
import { emailHmac, forgetEmailKey, legacyEmailHash } from "./customer.server";
import { indexDir } from "../embedding/index";
import { modelVersionsWithUsers, redactUsers } from "../artifacts/modelVersion.server";
import { cacheDir } from "../artifacts/store.server";
import { systemClock } from "../clock";
import { exportFilesOf, forgetExportFiles, recordExportFile } from "./exportFile.server";

export interface CustomerRef {
  customerId?: string | null;
  email?: string | null;
  /** Order ids Shopify lists (orders_to_redact / orders_requested). */
  orderIds?: string[];
  /**
   * The JobRun row of the redaction running now: its payload (which names the customer) is left
   * for the job to blank last, since a crash before the end resumes the job from that payload.
   */
  ownJobId?: string;
  /** Called once the database transaction has committed, before the files are rewritten. */
  afterDatabase?: () => void;
  /**
   * false: the caller runs inside a transaction of its own (the customers/delete delivery) and
   * calls compactAfterRedaction() after its commit; VACUUM cannot run inside a transaction.
   */
  compact?: boolean;
}

export interface RedactionReport {
  customerIds: string[];
  clientIds: number;
  rowsDeleted: Record<string, number>;
  ordersAnonymised: number;
  jobRunsScrubbed: number;
  files: string[];
  remainingTraces: Trace[];
}

export interface Trace {
  table: string;
  column: string;
  rowid: number | string;
}

/** Both stored forms of an email: the keyed hash (since migration 20261203_1_email_hmac_email_hmac) and the legacy sha256. */
const hashesOf = (shop: string, email: string) => [emailHmac(shop, email), legacyEmailHash(email)];

interface Table {
  name: string;
  columns: { name: string; type: string }[];
}

/** Every application table with its columns (Prisma's bookkeeping excluded). */
function tables(): Table[] {
  return listTables().map((name) => ({ name, columns: tableColumns(name) }));
}

const inList = (n: number) => `(${new Array(n).fill("?").join(", ")})`;

/** Adds `column IN (values)` to a WHERE clause's alternatives and its arguments; nothing for no values. */
function matchAny(where: string[], args: string[], column: string, values: string[]): void {
  if (!values.length) return;
  where.push(`${column} IN ${inList(values.length)}`);
  args.push(...values);
}

/** The customer ids, emails and pixel client ids one request refers to. */
function resolve(shop: string, ref: CustomerRef): { ids: string[]; emails: string[]; hashes: string[]; clients: string[] } {
  const db = rawDb();
  const ids = new Set<string>();
  const emails = new Set<string>();
  if (ref.customerId) ids.add(String(ref.customerId));
  if (ref.email) emails.add(ref.email.trim().toLowerCase());
  for (const e of [...emails]) {
    const [h, legacy] = hashesOf(shop, e);
    for (const r of db.prepare(`SELECT id FROM Customer WHERE shop = ? AND (lower(email) = ? OR emailHash IN (?, ?))`).all(shop, e, h, legacy) as { id: string }[]) ids.add(r.id);
  }
  for (const id of ids) {
    const r = db.prepare(`SELECT email FROM Customer WHERE shop = ? AND id = ?`).get(shop, id) as { email: string | null } | undefined;
    if (r?.email) emails.add(r.email.trim().toLowerCase());
  }
  const idList = [...ids];
  const clients = idList.length
    ? (db.prepare(`SELECT clientId FROM ClientLink WHERE shop = ? AND customerId IN ${inList(idList.length)}`).all(shop, ...idList) as { clientId: string }[]).map((r) => r.clientId)
    : [];
  return { ids: idList, emails: [...emails], hashes: [...emails].flatMap((e) => hashesOf(shop, e)), clients };
}

/** Redacts one customer everywhere (see the file comment). Safe to run twice. */
export function redactCustomer(shop: string, ref: CustomerRef): RedactionReport {
  const db = rawDb();
  const who = resolve(shop, ref);
  const rowsDeleted: Record<string, number> = {};
  let ordersAnonymised = 0;
  let jobRunsScrubbed = 0;
  const shoppers = [...who.ids, ...who.clients];
  db.transaction(() => {
    for (const t of tables()) {
      const cols = new Set(t.columns.map((c) => c.name));
      if (!cols.has("shop") || t.name === "Customer" || t.name === "Order") continue;
      const where: string[] = [];
      const args: string[] = [];
      if (cols.has("customerId")) matchAny(where, args, "customerId", who.ids);
      if (cols.has("clientId")) matchAny(where, args, "clientId", who.clients);
      if (cols.has("shopper")) matchAny(where, args, "shopper", shoppers);
      if (!where.length) continue;
      const n = db.prepare(`DELETE FROM "${t.name}" WHERE shop = ? AND (${where.join(" OR ")})`).run(shop, ...args).changes;
      if (n) rowsDeleted[t.name] = n;
    }
    const customerWhere = [
      who.ids.length ? `id IN ${inList(who.ids.length)}` : "",
      who.emails.length ? `lower(email) IN ${inList(who.emails.length)}` : "",
      who.hashes.length ? `emailHash IN ${inList(who.hashes.length)}` : "",
    ].filter(Boolean);
    if (customerWhere.length) {
      const n = db.prepare(`DELETE FROM Customer WHERE shop = ? AND (${customerWhere.join(" OR ")})`).run(shop, ...who.ids, ...who.emails, ...who.hashes).changes;
      if (n) rowsDeleted.Customer = n;
    }
    const orderIds = (ref.orderIds ?? []).map(String);
    const orderWhere = [
      who.ids.length ? `customerId IN ${inList(who.ids.length)}` : "",
      who.emails.length ? `lower(email) IN ${inList(who.emails.length)}` : "",
      who.hashes.length ? `emailHash IN ${inList(who.hashes.length)}` : "",
      orderIds.length ? `id IN ${inList(orderIds.length)}` : "",
    ].filter(Boolean);
    if (orderWhere.length) {
      ordersAnonymised = db
        .prepare(`UPDATE "Order" SET customerId = NULL, email = NULL, emailHash = NULL WHERE shop = ? AND (${orderWhere.join(" OR ")})`)
        .run(shop, ...who.ids, ...who.emails, ...who.hashes, ...orderIds).changes;
    }
    jobRunsScrubbed = scrubJobRuns(shop, [...who.ids, ...who.emails], ref.ownJobId);
    for (const id of who.ids) addTombstone(shop, "customer", id);
  })();
  ref.afterDatabase?.();
  const files = [...redactUsers(shop, who.ids), ...redactExportFiles(shop, [...who.ids, ...who.emails])];
  if (ref.compact !== false) compactAfterRedaction();
  return {
    customerIds: who.ids,
    clientIds: who.clients.length,
    rowsDeleted,
    ordersAnonymised,
    jobRunsScrubbed,
    files,
    remainingTraces: findCustomerTraces(shop, who.ids, who.emails, ref.ownJobId),
  };
}

/** Matches an id as a whole token (not inside a longer number), or an email anywhere. */
export function tokenPattern(tokens: string[]): RegExp | null {
  const parts = tokens.filter(Boolean).map((t) => (/^[\w-]+$/.test(t) ? `(?<![\\w-])${t}(?![\\w-])` : t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")));
  return parts.length ? new RegExp(parts.join("|"), "i") : null;
}

function scrubJobRuns(shop: string, tokens: string[], exceptId?: string): number {
  const pattern = tokenPattern(tokens);
  if (!pattern) return 0;
  const db = rawDb();
  const likes = tokens.filter(Boolean);
  const cond = likes.map(() => `(payload LIKE ? OR result LIKE ? OR message LIKE ? OR error LIKE ?)`).join(" OR ");
  const args = likes.flatMap((t) => Array(4).fill(`%${t}%`));
  const rows = (db.prepare(`SELECT id, payload, result, message, error FROM JobRun WHERE shop = ? AND (${cond})`).all(shop, ...args) as Record<string, string | null>[]).filter((r) => r.id !== exceptId);
  let n = 0;
  const scrub = db.prepare(`UPDATE JobRun SET payload = ?, result = NULL, message = NULL, error = NULL WHERE id = ?`);
  for (const r of rows) {
    if (![r.payload, r.result, r.message, r.error].some((v) => v && pattern.test(v))) continue;
    scrub.run(JSON.stringify({ shop, redacted: true }), r.id);
    n++;
  }
  return n;
}

/**
 * Every (table, column, rowid) of this shop whose text mentions one of the ids (as a whole token)
 * or emails. The redaction's own proof; the tests call it too. `exceptJobId`: the running
 * redaction's own JobRun row, which names the customer until the job's last step blanks it.
 */
export function findCustomerTraces(shop: string, ids: string[], emails: string[], exceptJobId?: string): Trace[] {
  const pattern = tokenPattern([...ids, ...emails, ...emails.flatMap((e) => hashesOf(shop, e))]);
  if (!pattern) return [];
  const db = rawDb();
  const hits: Trace[] = [];
  for (const t of tables()) {
    const text = t.columns.filter((c) => /char|text|clob|^$/i.test(c.type) || c.type === "");
    if (!text.length) continue;
    const own = t.name === "JobRun" && exceptJobId !== undefined;
    const scoped = t.columns.some((c) => c.name === "shop") ? `WHERE shop = ?${own ? " AND id <> ?" : ""}` : t.name === "Shop" ? `WHERE id = ?` : "";
    const rowId = rawDialect() === "postgres" ? "ctid::text" : "rowid"; // PostgreSQL has no rowid: the tuple id names the row
    const rows = db.prepare(`SELECT ${rowId} AS _rowid, ${text.map((c) => `"${c.name}"`).join(", ")} FROM "${t.name}" ${scoped}`).iterate(...(scoped ? [shop, ...(own ? [exceptJobId] : [])] : [])) as Iterable<Record<string, unknown>>;
    for (const row of rows) {
      for (const c of text) {
        const v = row[c.name];
        if (typeof v === "string" && pattern.test(v)) hits.push({ table: t.name, column: c.name, rowid: row._rowid as number | string });
      }
    }
  }
  return hits;
}

// ---------------------------------------------------------------- files

/** Writes a file atomically: a temporary file in the same folder, then rename. */
function writeAtomic(file: string, data: string | Uint8Array): void {
  const tmp = `${file}.tmp-${process.pid}-${crypto.randomBytes(4).toString("hex")}`;
  fs.writeFileSync(tmp, data, { mode: 0o600 });
  fs.renameSync(tmp, file);
}

/**
 * Files that can hold the shop's customer ids: every file of the export registry
 * (app/models/exportFile.server.ts: batch --out CSVs wherever they were written, data-request and
 * campaign exports), the `out` of every batch job row still kept (written before the registry), and
 * whatever lies in dataDir/batch/<shop> and dataDir/exports/<shop>. Registered files found gone are
 * forgotten.
 */
function exportFiles(shop: string): string[] {
  const out = new Set<string>();
  const gone: string[] = [];
  for (const r of exportFilesOf(shop)) {
    if (fs.existsSync(r.path)) out.add(r.path);
    else gone.push(r.path);
  }
  if (gone.length) forgetExportFiles(shop, gone);
  const rows = rawDb().prepare(`SELECT payload FROM JobRun WHERE shop = ? AND name = 'batch' AND payload IS NOT NULL`).all(shop) as { payload: string }[];
  for (const r of rows) {
    try {
      const p = JSON.parse(r.payload) as { out?: string };
      if (p.out) out.add(path.resolve(p.out));
    } catch {
      /* a scrubbed payload */
    }
  }
  for (const dir of [path.join(dataDir(), "batch", shop), path.join(dataDir(), "exports", shop)]) {
    if (!fs.existsSync(dir)) continue;
    for (const f of fs.readdirSync(dir, { recursive: true }) as string[]) out.add(path.join(dir, f));
  }
  return [...out].filter((f) => fs.existsSync(f) && fs.statSync(f).isFile());
}

/**
 * Removes the customer from export files. A data-request export about them is deleted (it is about
 * them alone: nothing in it is left once their rows go) and forgotten in the registry. Batch and
 * campaign exports are rewritten in place (atomically, mode 0600) without every line (CSV, JSONL) or
 * array element (JSON) that mentions them: the other customers' rows are the merchant's work and
 * stay usable; the file stays registered.
 */
export function redactExportFiles(shop: string, tokens: string[]): string[] {
  const pattern = tokenPattern(tokens);
  if (!pattern) return [];
  const touched: string[] = [];
  for (const file of exportFiles(shop)) {
    const text = fs.readFileSync(file, "utf8");
    if (!pattern.test(text)) continue;
    if (path.basename(file).startsWith("data-request-")) {
      fs.rmSync(file);
      forgetExportFiles(shop, [file]);
      touched.push(file);
      continue;
    }
    let next: string | null = null;
    if (file.endsWith(".json")) {
      try {
        const v = JSON.parse(text) as unknown;
        if (Array.isArray(v)) next = JSON.stringify(v.filter((e) => !pattern.test(JSON.stringify(e))), null, 2);
        else if (v && typeof v === "object") {
          const o = { ...(v as Record<string, unknown>) };
          for (const [k, val] of Object.entries(o)) {
            if (pattern.test(k)) delete o[k];
            else if (Array.isArray(val)) o[k] = val.filter((e) => !pattern.test(JSON.stringify(e)));
          }
          next = JSON.stringify(o, null, 2);
          if (pattern.test(next)) next = null;
        }
      } catch {
        next = null;
      }
    }
    next ??= text
      .split("\n")
      .filter((line) => !pattern.test(line))
      .join("\n");
    writeAtomic(file, next);
    touched.push(file);
  }
  return touched;
}

// ---------------------------------------------------------------- data request

/** Everything held about a customer, as one JSON document (customers/data_request). */
export function exportCustomerData(shop: string, ref: CustomerRef): Record<string, unknown> {
  const db = rawDb();
  const who = resolve(shop, ref);
  const rows: Record<string, unknown[]> = {};
  for (const t of tables()) {
    const cols = new Set(t.columns.map((c) => c.name));
    if (!cols.has("shop") || t.name === "JobRun" || t.name === "WebhookDelivery") continue;
    const where: string[] = [];
    const args: string[] = [];
    if (t.name === "Customer") {
      matchAny(where, args, "id", who.ids);
      matchAny(where, args, "lower(email)", who.emails);
      matchAny(where, args, "emailHash", who.hashes);
    } else {
      if (cols.has("customerId")) matchAny(where, args, "customerId", who.ids);
      if (cols.has("clientId")) matchAny(where, args, "clientId", who.clients);
      if (cols.has("shopper")) matchAny(where, args, "shopper", [...who.ids, ...who.clients]);
      if (t.name === "Order") matchAny(where, args, "lower(email)", who.emails);
      if (t.name === "Order") matchAny(where, args, "emailHash", who.hashes);
    }
    if (!where.length) continue;
    const found = db.prepare(`SELECT * FROM "${t.name}" WHERE shop = ? AND (${where.join(" OR ")})`).all(shop, ...args);
    if (found.length) rows[t.name] = found;
  }
  const orderIds = ((rows.Order ?? []) as { id: string }[]).map((o) => o.id);
  if (orderIds.length) {
    rows.OrderItem = db.prepare(`SELECT * FROM OrderItem WHERE shop = ? AND orderId IN ${inList(orderIds.length)}`).all(shop, ...orderIds);
  }
  // Job rows and files that mention them (a queued webhook body, a batch or campaign export).
  const pattern = tokenPattern([...who.ids, ...who.emails, ...who.hashes]);
  const jobRuns = pattern
    ? (db.prepare(`SELECT id, name, status, payload, result, message, error, createdAt, finishedAt FROM JobRun WHERE shop = ?`).all(shop) as Record<string, string | null>[]).filter((r) =>
        [r.payload, r.result, r.message, r.error].some((v) => v && pattern.test(v)),
      )
    : [];
  const files = pattern ? exportFiles(shop).filter((f) => !path.basename(f).startsWith("data-request-") && pattern.test(fs.readFileSync(f, "utf8"))) : [];
  return {
    shop,
    generatedAt: systemClock.now().toISOString(),
    request: { customerId: ref.customerId ?? null, email: ref.email ?? null, ordersRequested: ref.orderIds ?? [] },
    note:
      "Data Facet holds about this customer: profile, orders and their items, storefront interactions, pixel client links, recommendation events, job rows that mention them, and files (batch and campaign exports) that mention them, with the lines that do. Emails are held only as a keyed hash (HMAC-SHA256 with the shop's secret), never as the address. Model factors are derived numbers without meaning on their own and are listed by presence only.",
    data: { ...rows, ...(jobRuns.length ? { JobRun: jobRuns } : {}) },
    files: files.map((f) => ({ path: f, lines: fs.readFileSync(f, "utf8").split("\n").filter((l) => pattern!.test(l)) })),
    modelVersionsContainingCustomer: modelVersionsWithUsers(shop, who.ids),
  };
}

/** Writes a data-request export under dataDir/exports/<shop>/ (0600, registered); returns its path. */
export function writeDataRequestExport(shop: string, requestId: string, doc: Record<string, unknown>, now: Date = systemClock.now()): string {
  const dir = path.join(dataDir(), "exports", shop);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, `data-request-${requestId.replace(/[^\w-]/g, "_")}.json`);
  writeAtomic(file, JSON.stringify(doc, null, 2));
  recordExportFile(shop, file, "data-request", now);
  return file;
}

/**
 * After a redaction: no copy of the deleted rows may stay in the file's free pages or the WAL.
 * secure_delete (set on the handle in app/db.server.ts) zeroes freed cells; the checkpoint moves the
 * WAL into the file and truncates it; VACUUM rewrites the file without free pages, then the WAL it
 * wrote is checkpointed and truncated again.
 */
export function compactAfterRedaction(): void {
  const db = rawDb();
  db.pragma("secure_delete = ON");
  db.pragma("wal_checkpoint(TRUNCATE)");
  db.exec("VACUUM");
  db.pragma("wal_checkpoint(TRUNCATE)");
}

/**
 * The redaction's last step on its own JobRun row: a customer's forgets whom it was about (payload
 * and message blanked); a shop's goes, as every other row of the shop went (the finished job's
 * status update then finds no row and writes nothing).
 */
export function forgetOwnJobRun(shop: string, jobId: string, wholeShop: boolean): void {
  const db = rawDb(); // secure_delete is on (app/db.server.ts): the old payload's bytes are zeroed, not left in a free cell
  if (wholeShop) db.prepare(`DELETE FROM JobRun WHERE id = ? AND shop = ?`).run(jobId, shop);
  else db.prepare(`UPDATE JobRun SET payload = ?, message = NULL, error = NULL WHERE id = ? AND shop = ?`).run(JSON.stringify({ shop, redacted: true }), jobId, shop);
  // The database file still holds the page as it was before: the checkpoint writes the zeroed one over it.
  db.pragma("wal_checkpoint(TRUNCATE)");
}

// ---------------------------------------------------------------- shop

/** app/uninstalled: sessions go (the token is dead), the shop stops taking events; data waits for shop/redact (48 h later). */
export function markUninstalled(shop: string): void {
  const db = rawDb();
  db.transaction(() => {
    db.prepare(`DELETE FROM Session WHERE shop = ?`).run(shop);
    db.prepare(`UPDATE Shop SET uninstalledAt = ?, updatedAt = ? WHERE id = ?`).run(systemClock.now().toISOString(), systemClock.now().toISOString(), shop);
  })();
}

/** shop/redact: every row of the shop in every table, and its folders (models, exports, batch, sync downloads). */
export function redactShop(shop: string, ownJobId = ""): { rowsDeleted: Record<string, number>; folders: string[] } {
  const db = rawDb();
  const rowsDeleted: Record<string, number> = {};
  // Export files outside the data folder first, while the rows that list them still exist: a crash
  // after this step finds them gone, a crash before it finds them listed.
  for (const f of exportFiles(shop)) fs.rmSync(f, { force: true });
  // Every row of the shop, except the JobRun row of this redaction (a crash before its end resumes
  // the job from that row; the job blanks it last).
  const except = (t: string) => (t === "JobRun" ? " AND id <> ?" : "");
  const args = (t: string) => (t === "JobRun" ? [shop, ownJobId] : [shop]);
  db.transaction(() => {
    for (const t of tables()) {
      const cols = new Set(t.columns.map((c) => c.name));
      const n = cols.has("shop")
        ? db.prepare(`DELETE FROM "${t.name}" WHERE shop = ?${except(t.name)}`).run(...args(t.name)).changes
        : t.name === "Shop"
          ? db.prepare(`DELETE FROM Shop WHERE id = ?`).run(shop).changes
          : 0;
      if (n) rowsDeleted[t.name] = n;
    }
    // Triggers may have written bookkeeping rows of the shop while the loop deleted (ServingChange
    // counters bump on every delete): a second pass takes what they re-created.
    for (const t of tables()) {
      if (t.columns.some((c) => c.name === "shop")) db.prepare(`DELETE FROM "${t.name}" WHERE shop = ?${except(t.name)}`).run(...args(t.name));
    }
  })();
  const folders: string[] = [];
  // "index" is where app/embedding/index.ts writes (indexDir); "indexes" is kept for older data folders.
  // The artifact store's rows went with the tables above (Artifact, ArtifactChunk); its local copies go here.
  const subs = ["models", "bundles", "index-artifacts", "exports", "batch", "sync", "indexes"];
  for (const dir of [...subs.map((sub) => path.join(dataDir(), sub, shop)), indexDir(shop, dataDir()), cacheDir(shop)]) {
    if (fs.existsSync(dir)) {
      fs.rmSync(dir, { recursive: true, force: true });
      folders.push(dir);
    }
  }
  forgetEmailKey(shop);
  compactAfterRedaction();
  return { rowsDeleted, folders };
}

// ---------------------------------------------------------------- the admin's privacy page

/** The privacy requests the shop received (Shopify's compliance webhooks) or made in the admin, newest first. */
export interface PrivacyLogRow {
  id: string;
  /** "data_request" (customers/data_request), "customer_redact" (customers/redact or the admin's erase), "shop_redact". */
  kind: "data_request" | "customer_redact" | "shop_redact";
  /** "shopify" for a webhook delivery (job ids wh-…), "admin" for the privacy page's own requests. */
  source: "shopify" | "admin";
  status: string;
  receivedAt: string;
  finishedAt: string | null;
  /** The job's result (counts and a file name only, never the id or email) or its error. */
  result: Record<string, unknown> | null;
  error: string | null;
}

const parseJson = (s: string | null): Record<string, unknown> | null => {
  if (!s) return null;
  try {
    const v = JSON.parse(s) as unknown;
    return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
};

/** The redact jobs and the data-request sync jobs of the shop (JobRun keeps their dates, status and counted outcome). */
export function privacyRequestLog(shop: string, take = 50): PrivacyLogRow[] {
  const rows = rawDb()
    .prepare(
      `SELECT id, name, status, payload, result, error, createdAt, finishedAt FROM JobRun
       WHERE shop = ? AND (name = 'redact' OR (name = 'sync' AND payload LIKE ?))
       ORDER BY createdAt DESC LIMIT ?`,
    )
    .all(shop, "%CUSTOMERS_DATA_REQUEST%", take) as { id: string; name: string; status: string; payload: string | null; result: string | null; error: string | null; createdAt: string | Date; finishedAt: string | Date | null }[];
  return rows.map((r) => {
    const payload = parseJson(r.payload);
    const result = parseJson(r.result);
    const kind = r.name === "sync" ? "data_request" : payload?.wholeShop === true || result?.kind === "shop" ? "shop_redact" : "customer_redact";
    return {
      id: r.id,
      kind,
      source: r.id.startsWith("wh-") ? "shopify" : "admin",
      status: r.status,
      receivedAt: new Date(r.createdAt).toISOString(),
      finishedAt: r.finishedAt ? new Date(r.finishedAt).toISOString() : null,
      result,
      error: r.error,
    };
  });
}
