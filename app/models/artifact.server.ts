/**
 * Artifact rows (issue 16 point 3, docs/decisions/0200-artifact-store.md): the database backend of
 * app/artifacts/store.server.ts. An artifact is a named, immutable set of files of one shop
 * (kind: model | bundle | index). Its Artifact row lists the files (name -> bytes, sha256); the
 * contents are ArtifactChunk rows keyed by (shop, sha256, seq), at most CHUNK_BYTES each, stored once
 * per shop however many artifacts hold the same file (a model's item ids rarely change between
 * versions).
 *
 * Writes run in one transaction (chunks, then the row): a row means complete, a crash leaves
 * nothing. Unreferenced chunks are deleted in the same transaction that drops their last reference.
 * Through the raw handle: SQLite BLOB and PostgreSQL BYTEA, Buffers both ways.
 */
import { rawDb } from "../db.server";

export const CHUNK_BYTES = 1 << 20;

export interface ArtifactFileInfo {
  bytes: number;
  sha256: string;
}

export interface ArtifactRow {
  shop: string;
  kind: string;
  name: string;
  /** sha256 of the sorted file list (names and their sha256): what readers cache by. */
  hash: string;
  bytes: number;
  files: Record<string, ArtifactFileInfo>;
  createdAt: string;
}

type Stored = Omit<ArtifactRow, "files"> & { files: string };

const parse = (r: Stored): ArtifactRow => ({ ...r, files: JSON.parse(r.files) as Record<string, ArtifactFileInfo> });

export function getArtifactRow(shop: string, kind: string, name: string): ArtifactRow | null {
  const r = rawDb().prepare(`SELECT shop, kind, name, hash, bytes, files, createdAt FROM Artifact WHERE shop = ? AND kind = ? AND name = ?`).get(shop, kind, name) as Stored | undefined;
  return r ? parse(r) : null;
}

/** The shop's artifacts of one kind, newest first. */
export function listArtifactRows(shop: string, kind: string): ArtifactRow[] {
  const rows = rawDb().prepare(`SELECT shop, kind, name, hash, bytes, files, createdAt FROM Artifact WHERE shop = ? AND kind = ? ORDER BY createdAt DESC, name DESC`).all(shop, kind) as Stored[];
  return rows.map(parse);
}

/** Writes the chunks of each file the shop does not hold yet. Inside a transaction of the caller. */
function putContents(shop: string, contents: Map<string, Buffer>): void {
  const db = rawDb();
  const has = db.prepare(`SELECT 1 FROM ArtifactChunk WHERE shop = ? AND sha256 = ? AND seq = 0`);
  const insert = db.prepare(`INSERT INTO ArtifactChunk (shop, sha256, seq, data) VALUES (?, ?, ?, ?)`);
  for (const [sha256, data] of contents) {
    if (has.get(shop, sha256)) continue;
    const chunks = Math.max(1, Math.ceil(data.byteLength / CHUNK_BYTES));
    for (let seq = 0; seq < chunks; seq++) insert.run(shop, sha256, seq, data.subarray(seq * CHUNK_BYTES, (seq + 1) * CHUNK_BYTES));
  }
}

/** Deletes the shop's chunks no artifact row references any more. Inside a transaction of the caller. */
function dropUnreferenced(shop: string): number {
  const db = rawDb();
  const referenced = new Set<string>();
  for (const f of db.prepare(`SELECT files FROM Artifact WHERE shop = ?`).pluck().all(shop) as string[]) {
    for (const info of Object.values(JSON.parse(f) as Record<string, ArtifactFileInfo>)) referenced.add(info.sha256);
  }
  const del = db.prepare(`DELETE FROM ArtifactChunk WHERE shop = ? AND sha256 = ?`);
  let n = 0;
  for (const sha of db.prepare(`SELECT DISTINCT sha256 FROM ArtifactChunk WHERE shop = ?`).pluck().all(shop) as string[]) {
    if (!referenced.has(sha)) n += del.run(shop, sha).changes;
  }
  return n;
}

/**
 * Inserts a complete artifact: its files' contents (keyed by sha256) and its row, in one
 * transaction. False when an artifact of that name exists already (immutable: it is not replaced).
 */
export function insertArtifact(row: Omit<ArtifactRow, "createdAt"> & { createdAt: Date }, contents: Map<string, Buffer>): boolean {
  const db = rawDb();
  return db.transaction(() => {
    if (db.prepare(`SELECT 1 FROM Artifact WHERE shop = ? AND kind = ? AND name = ?`).get(row.shop, row.kind, row.name)) return false;
    putContents(row.shop, contents);
    db.prepare(`INSERT INTO Artifact (shop, kind, name, hash, bytes, files, createdAt) VALUES (?, ?, ?, ?, ?, ?, ?)`).run(
      row.shop,
      row.kind,
      row.name,
      row.hash,
      row.bytes,
      JSON.stringify(row.files),
      row.createdAt.toISOString(),
    );
    return true;
  })();
}

/**
 * Replaces some files of an artifact (customer redaction only: a version's user rows go, nothing
 * else changes), in one transaction: the new contents, the row's file list and hash, and the
 * contents nothing references any more (so the redacted rows leave the database, not only the list).
 */
export function rewriteArtifact(shop: string, kind: string, name: string, next: { hash: string; bytes: number; files: Record<string, ArtifactFileInfo> }, contents: Map<string, Buffer>): void {
  const db = rawDb();
  db.transaction(() => {
    putContents(shop, contents);
    db.prepare(`UPDATE Artifact SET hash = ?, bytes = ?, files = ? WHERE shop = ? AND kind = ? AND name = ?`).run(next.hash, next.bytes, JSON.stringify(next.files), shop, kind, name);
    dropUnreferenced(shop);
  })();
}

/** Deletes artifacts and the contents only they referenced. */
export function deleteArtifacts(shop: string, kind: string, names: string[]): number {
  if (!names.length) return 0;
  const db = rawDb();
  return db.transaction(() => {
    const del = db.prepare(`DELETE FROM Artifact WHERE shop = ? AND kind = ? AND name = ?`);
    let n = 0;
    for (const name of names) n += del.run(shop, kind, name).changes;
    dropUnreferenced(shop);
    return n;
  })();
}

/** One file's contents, reassembled from its chunks; null when the shop holds no such contents. */
export function readArtifactContents(shop: string, sha256: string): Buffer | null {
  const rows = rawDb().prepare(`SELECT data FROM ArtifactChunk WHERE shop = ? AND sha256 = ? ORDER BY seq`).pluck().all(shop, sha256) as Buffer[];
  if (!rows.length) return null;
  return rows.length === 1 ? Buffer.from(rows[0]) : Buffer.concat(rows);
}

/** Every chunk of the shop, for the redaction's own proof (tests): does any stored byte still name them? */
export function* iterateArtifactChunks(shop: string): Generator<{ sha256: string; seq: number; data: Buffer }> {
  for (const r of rawDb().prepare(`SELECT sha256, seq, data FROM ArtifactChunk WHERE shop = ?`).iterate(shop) as Iterable<{ sha256: string; seq: number; data: Buffer }>) yield r;
}
