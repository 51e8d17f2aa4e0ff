/**
 * The SQLite-flavoured SQL of app/models, spoken to PostgreSQL (docs/decisions/0160).
 *
 * app/models writes its raw SQL once, in the subset both engines share (ON CONFLICT, IS DISTINCT
 * FROM, COALESCE, ...). What still differs is mechanical and is translated here, once per statement
 * text (cached):
 * - placeholders: `?` and `@name` become `$1..$n` (a name used twice is one parameter);
 * - identifiers: a bare mixed-case word (`deletedAt`, `Product`) is quoted, because PostgreSQL folds
 *   bare names to lower case while Prisma created them quoted;
 * - `LIKE` becomes `ILIKE` (SQLite's LIKE ignores ASCII case; PostgreSQL's does not);
 * - `julianday()` exists on PostgreSQL as a function of our own (prisma/postgres/migrations/0002_*).
 * What cannot be translated (sqlite_master, PRAGMA, rowid) has a per-provider variant in the model
 * file that needs it (see rawDialect() in app/db.server.ts).
 */

export interface Translated {
  sql: string;
  /** For each $n: the index (number) of a positional `?`, or the name of an `@name` parameter. */
  params: (number | string)[];
}

const cache = new Map<string, Translated>();

const WORD = /[A-Za-z_][A-Za-z0-9_]*/y;

export function toPostgres(sql: string): Translated {
  const hit = cache.get(sql);
  if (hit) return hit;
  let out = "";
  const params: (number | string)[] = [];
  const named = new Map<string, number>();
  let positional = 0;
  let i = 0;
  while (i < sql.length) {
    const c = sql[i];
    if (c === "'" || c === '"') {
      // a string literal or a quoted identifier, '' / "" escapes included
      let j = i + 1;
      for (;;) {
        if (j >= sql.length) break;
        if (sql[j] === c) {
          if (sql[j + 1] === c) j += 2;
          else break;
        } else j++;
      }
      out += sql.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    if (c === "-" && sql[i + 1] === "-") {
      const j = sql.indexOf("\n", i);
      const end = j < 0 ? sql.length : j;
      out += sql.slice(i, end);
      i = end;
      continue;
    }
    if (c === "?") {
      params.push(positional++);
      out += `$${params.length}`;
      i++;
      continue;
    }
    if ((c === "@" || c === ":" || c === "$") && /[A-Za-z_]/.test(sql[i + 1] ?? "") && !(c === ":" && sql[i - 1] === ":")) {
      WORD.lastIndex = i + 1;
      const name = WORD.exec(sql)![0];
      let n = named.get(name);
      if (n === undefined) {
        params.push(name);
        n = params.length;
        named.set(name, n);
      }
      out += `$${n}`;
      i += 1 + name.length;
      continue;
    }
    if (/[A-Za-z_]/.test(c) && !/[A-Za-z0-9_$]/.test(sql[i - 1] ?? "")) {
      WORD.lastIndex = i;
      const w = WORD.exec(sql)![0];
      i += w.length;
      const upper = w.toUpperCase();
      if (upper === "LIKE") out += "ILIKE";
      else if (/[a-z]/.test(w) && /[A-Z]/.test(w)) out += `"${w}"`;
      else out += w;
      continue;
    }
    out += c;
    i++;
  }
  const t = { sql: out, params };
  cache.set(sql, t);
  return t;
}

/** The values for a translated statement, from better-sqlite3-style arguments. */
export function bindValues(t: Translated, args: unknown[]): unknown[] {
  const flat = args.length === 1 && Array.isArray(args[0]) ? (args[0] as unknown[]) : args;
  const first = flat[0];
  const isNamed = first !== null && typeof first === "object" && !Buffer.isBuffer(first) && !(first instanceof Uint8Array) && !(first instanceof Date);
  const named = isNamed ? (first as Record<string, unknown>) : undefined;
  const positional = isNamed ? flat.slice(1) : flat;
  return t.params.map((p) => {
    let v: unknown;
    if (typeof p === "string") {
      if (!named || !(p in named)) throw new Error(`SQL parameter @${p} has no value (statement: ${t.sql.slice(0, 120)})`);
      v = named[p];
    } else v = positional[p];
    if (typeof v === "boolean") return v ? 1 : 0; // as better-sqlite3 would store it
    if (typeof v === "bigint") return v.toString();
    return v === undefined ? null : v;
  });
}
