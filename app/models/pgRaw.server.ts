/**
 * A synchronous PostgreSQL handle with the part of better-sqlite3's API that app/models uses
 * (prepare/get/all/run/iterate/pluck, exec, transaction, pragma), so that every data-access
 * function runs unchanged on both databases (docs/decisions/0160).
 *
 * node-postgres is asynchronous; the handle runs one `pg.Client` in a worker thread and waits for
 * each answer with Atomics.wait (the main thread blocks for the round trip, exactly as it blocks on
 * a better-sqlite3 call today). Results look like SQLite's: timestamps as ISO-8601 text, booleans as
 * 1/0, COUNT/SUM as numbers. Transactions nest with savepoints; iterate() reads through a cursor in
 * batches, so a million interactions are never held at once.
 */
import { createRequire } from "node:module";
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from "node:worker_threads";
import { bindValues, toPostgres } from "./pgSql.server";

const WORKER_SOURCE = String.raw`
const { workerData } = require("node:worker_threads");
const pg = require(workerData.pgPath);
const port = workerData.port;
const flag = new Int32Array(workerData.sab);
const iso = (s) => s === null ? null : new Date(s.replace(" ", "T") + (/[zZ]|[+-]\d\d(:?\d\d)?$/.test(s) ? "" : "Z")).toISOString();
const num = (s) => s === null ? null : Number(s);
const types = { getTypeParser(oid, format) {
  if (oid === 1114 || oid === 1184) return iso;          // timestamp(tz) -> ISO text, as SQLite holds it
  if (oid === 20 || oid === 1700) return num;             // int8, numeric -> number
  if (oid === 16) return (s) => s === null ? null : (s === "t" ? 1 : 0); // boolean -> 1/0
  return pg.types.getTypeParser(oid, format);
} };
const client = new pg.Client({ connectionString: workerData.url, types });
client.on("error", () => {}); // a terminated connection fails the next call, with its reason
const ready = client.connect();
let cursors = 0;
const plain = (r) => r; // rows are plain objects/arrays already
async function handle(m) {
  await ready;
  switch (m.op) {
    case "query": {
      const r = await client.query({ text: m.sql, values: m.values, rowMode: m.array ? "array" : undefined });
      return { rows: m.rows === false ? [] : r.rows.map(plain), changes: r.rowCount ?? 0 };
    }
    case "exec": await client.query(m.sql); return {};
    case "open": {
      const name = "facet_cur_" + (++cursors);
      await client.query({ text: "DECLARE " + name + " NO SCROLL CURSOR FOR " + m.sql, values: m.values });
      return { name };
    }
    case "fetch": {
      const r = await client.query({ text: "FETCH " + m.n + " FROM " + m.name, rowMode: m.array ? "array" : undefined });
      return { rows: r.rows };
    }
    case "close": await client.query("CLOSE " + m.name); return {};
    case "end": await client.end(); return {};
  }
  throw new Error("unknown op " + m.op);
}
port.on("message", async (m) => {
  let reply;
  try { reply = { ok: await handle(m) }; }
  catch (e) { reply = { err: { message: e.message, code: e.code, detail: e.detail, position: e.position } }; }
  port.postMessage(reply);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
});
`;

export class PgError extends Error {
  constructor(message: string, readonly code?: string) {
    super(message);
  }
}

type Reply = { ok?: { rows?: unknown[]; changes?: number; name?: string }; err?: { message: string; code?: string; detail?: string } };

const toBuffer = (v: unknown) => (v instanceof Uint8Array && !Buffer.isBuffer(v) ? Buffer.from(v.buffer, v.byteOffset, v.byteLength) : v);
function fixRow(row: unknown): unknown {
  if (Array.isArray(row)) return row.map(toBuffer);
  const o = row as Record<string, unknown>;
  for (const k in o) if (o[k] instanceof Uint8Array) o[k] = toBuffer(o[k]);
  return o;
}

export class PgSyncDb {
  readonly dialect = "postgres" as const;
  private worker: Worker;
  private port: MessagePort;
  private flag: Int32Array;
  private depth = 0;
  private closed = false;

  constructor(readonly url: string) {
    const require = createRequire(import.meta.url);
    const sab = new SharedArrayBuffer(4);
    this.flag = new Int32Array(sab);
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { pgPath: require.resolve("pg"), url, sab, port: port2 }, transferList: [port2] });
    this.worker.unref();
    this.call({ op: "query", sql: "SELECT 1", values: [] }); // fails here, with the reason, when the database is not reachable
  }

  private pending = new Map<() => void, () => void>();
  private flushing = false;
  /**
   * Registers rows a writer holds back for a multi-row INSERT: they are written before any other
   * statement runs on this handle (so a later read, or COMMIT, sees them).
   */
  holdBack(flush: () => void, drop: () => void): void {
    this.pending.set(flush, drop);
  }
  /** A rolled-back transaction: held rows are dropped, not written. */
  private dropPending(): void {
    for (const drop of this.pending.values()) drop();
    this.pending.clear();
  }
  release(flush: () => void): void {
    this.pending.delete(flush);
  }
  flushPending(): void {
    if (this.flushing || !this.pending.size) return;
    this.flushing = true;
    try {
      for (const f of [...this.pending.keys()]) {
        this.pending.delete(f);
        f();
      }
    } finally {
      this.flushing = false;
    }
  }

  call(msg: Record<string, unknown>): NonNullable<Reply["ok"]> {
    this.flushPending();
    if (this.closed) throw new PgError(`the PostgreSQL handle for ${redact(this.url)} is closed`);
    Atomics.store(this.flag, 0, 0);
    this.port.postMessage(msg);
    for (;;) {
      const r = Atomics.wait(this.flag, 0, 0, 60_000);
      if (r !== "timed-out") break;
      throw new PgError(`PostgreSQL at ${redact(this.url)} did not answer within 60 s (${String(msg.sql ?? msg.op).slice(0, 120)})`);
    }
    const got = receiveMessageOnPort(this.port)?.message as Reply | undefined;
    if (!got) throw new PgError("PostgreSQL worker sent no reply");
    if (got.err) {
      const where = typeof msg.sql === "string" ? ` in: ${msg.sql.slice(0, 300)}` : "";
      throw new PgError(`PostgreSQL: ${got.err.message}${got.err.detail ? ` (${got.err.detail})` : ""}${where}`, got.err.code);
    }
    return got.ok!;
  }

  prepare(source: string): PgStatement {
    return new PgStatement(this, source);
  }

  exec(sql: string): this {
    this.call({ op: "exec", sql: toPostgres(sql).sql });
    return this;
  }

  /** PRAGMAs tune SQLite only: on PostgreSQL they do nothing (cache_size reads as 0). */
  pragma(_source: string, _opts?: { simple?: boolean }): unknown {
    return _opts?.simple ? 0 : [];
  }

  inTransaction(): boolean {
    return this.depth > 0;
  }

  transaction<A extends unknown[], R>(fn: (...args: A) => R) {
    const run = (...args: A): R => {
      const level = this.depth;
      this.call({ op: "exec", sql: level === 0 ? "BEGIN" : `SAVEPOINT facet_sp${level}` });
      this.depth = level + 1;
      let r: R;
      try {
        r = fn(...args);
        this.flushPending(); // rows held back for multi-row INSERTs belong to this transaction
      } catch (e) {
        this.depth = level;
        this.dropPending();
        try {
          this.call({ op: "exec", sql: level === 0 ? "ROLLBACK" : `ROLLBACK TO SAVEPOINT facet_sp${level}` });
        } catch {
          /* the original error says more */
        }
        throw e;
      }
      this.depth = level;
      try {
        this.call({ op: "exec", sql: level === 0 ? "COMMIT" : `RELEASE SAVEPOINT facet_sp${level}` });
      } catch (e) {
        this.dropPending();
        if (level === 0) this.call({ op: "exec", sql: "ROLLBACK" });
        throw e;
      }
      return r;
    };
    return Object.assign(run, { immediate: run, deferred: run, exclusive: run });
  }

  /** Internal: the cursor of iterate() needs a transaction; it opens one when none is open. */
  begin(): boolean {
    if (this.depth > 0) return false;
    this.call({ op: "exec", sql: "BEGIN" });
    this.depth++;
    return true;
  }
  commit(): void {
    this.depth--;
    this.call({ op: "exec", sql: "COMMIT" });
  }

  close(): void {
    if (this.closed) return;
    try {
      this.call({ op: "end" });
    } catch {
      /* closing anyway */
    }
    this.closed = true;
    void this.worker.terminate();
  }
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, "//$1:***@");
}

export class PgStatement {
  private pluckMode = false;
  private rawMode = false;
  constructor(private db: PgSyncDb, readonly source: string) {
    toPostgres(source); // translate early: a statement that cannot be translated fails where it is prepared
  }
  pluck(on = true): this {
    this.pluckMode = on;
    return this;
  }
  raw(on = true): this {
    this.rawMode = on;
    return this;
  }
  private q(args: unknown[], rows = true) {
    const t = toPostgres(this.source);
    return this.db.call({ op: "query", sql: t.sql, values: bindValues(t, args), array: this.pluckMode || this.rawMode, rows });
  }
  private shape(row: unknown): unknown {
    const r = fixRow(row);
    return this.pluckMode ? (r as unknown[])[0] : r;
  }
  get(...args: unknown[]): unknown {
    const rows = this.q(args).rows ?? [];
    return rows.length ? this.shape(rows[0]) : undefined;
  }
  all(...args: unknown[]): unknown[] {
    return (this.q(args).rows ?? []).map((r) => this.shape(r));
  }
  run(...args: unknown[]): { changes: number; lastInsertRowid: number } {
    return { changes: this.q(args, false).changes ?? 0, lastInsertRowid: 0 };
  }
  *iterate(...args: unknown[]): Generator<unknown> {
    const t = toPostgres(this.source);
    const began = this.db.begin();
    const { name } = this.db.call({ op: "open", sql: t.sql, values: bindValues(t, args) });
    try {
      for (;;) {
        const rows = this.db.call({ op: "fetch", name, n: 5000, array: this.pluckMode || this.rawMode }).rows ?? [];
        for (const r of rows) yield this.shape(r);
        if (rows.length < 5000) break;
      }
    } finally {
      this.db.call({ op: "close", name });
      if (began) this.db.commit();
    }
  }
}
