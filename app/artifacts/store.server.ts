/**
 * The artifact store (issue 16 point 3, docs/decisions/0200-artifact-store.md): where model versions,
 * serving bundles and visual indexes live. An artifact is a named, immutable set of files of one
 * shop; a writer (a worker, the CLI) prepares it in a temporary folder and publishes it; a reader (a
 * web process) asks for it and gets a local folder to read.
 *
 * Two backends, chosen by FACET_ARTIFACT_STORE:
 * - "local" (default): the data folder is the store. `${dataDir()}/models/<shop>/<version>/`,
 *   `${dataDir()}/bundles/<shop>/<name>/`: publishing renames the folder into place, reading
 *   returns it. One machine (or a shared disk).
 * - "database": the database itself (app/models/artifact.server.ts: Artifact rows, file contents in
 *   1 MiB chunks by sha256), shared by every machine that shares the database. Reading fetches the
 *   artifact into `${dataDir()}/artifact-cache/<shop>/<kind>/<name>@<content hash>/` once and reads
 *   it from there afterwards; a redacted artifact has a new content hash, so no machine keeps
 *   reading an older copy (and the older copies on this machine are deleted when it fetches).
 *
 * Artifacts are immutable: publishing a name that exists keeps the existing one. The one exception
 * is `rewrite`, for customer redaction (app/artifacts/modelVersion.server.ts): the same artifact
 * without a customer's rows, committed atomically on both backends.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { dataDir, env } from "../env.server";
import { deleteArtifacts, getArtifactRow, insertArtifact, listArtifactRows, readArtifactContents, rewriteArtifact, type ArtifactFileInfo } from "../models/artifact.server";

export type ArtifactKind = "model" | "bundle" | "index";

export interface ArtifactRef {
  shop: string;
  kind: ArtifactKind;
  name: string;
}

export interface ArtifactInfo {
  name: string;
  /** ISO time it was published. */
  createdAt: string;
}

export interface ArtifactStore {
  readonly backend: "local" | "database";
  /** True when other machines see what this one publishes (the database backend). */
  readonly shared: boolean;
  /**
   * Publishes the complete folder `dir` (flat: files only) as `ref` and takes it over (it is moved,
   * not copied). Returns the local folder that holds the artifact now. An artifact of that name that
   * exists already is kept (immutable) and `dir` is removed.
   */
  publish(ref: ArtifactRef, dir: string, createdAt: Date): string;
  /** Whether the artifact exists (nothing is fetched). */
  has(ref: ArtifactRef): boolean;
  /** A local folder holding the artifact's files (fetched first when needed), or null when there is no such artifact. */
  fetch(ref: ArtifactRef): string | null;
  /** The shop's artifacts of one kind, newest first. */
  list(shop: string, kind: ArtifactKind): ArtifactInfo[];
  /** Replaces some files of an artifact at once (redaction only). */
  rewrite(ref: ArtifactRef, files: Record<string, Buffer>): void;
  /** Deletes artifacts (garbage collection). */
  remove(shop: string, kind: ArtifactKind, names: string[]): void;
}

export function safeSegment(s: string): string {
  if (!/^[A-Za-z0-9._@+-]+$/.test(s) || s === "." || s === "..") throw new Error(`Not a safe folder name: ${JSON.stringify(s)}`);
  return s;
}

const KIND_DIRS: Record<ArtifactKind, string> = { model: "models", bundle: "bundles", index: "index-artifacts" };

/** The local backend's folder of a shop's artifacts of one kind. */
export function localKindDir(shop: string, kind: ArtifactKind): string {
  return path.join(dataDir(), KIND_DIRS[kind], safeSegment(shop));
}

export const sha256 = (data: Buffer | string) => crypto.createHash("sha256").update(data).digest("hex");

/** The content hash of a file list: what a reader caches an artifact by. */
function contentHash(files: Record<string, ArtifactFileInfo>): string {
  return sha256(
    Object.keys(files)
      .sort()
      .map((n) => `${n}\t${files[n].sha256}`)
      .join("\n"),
  );
}

const PENDING = "rewrite.pending.json";
const NEW_SUFFIX = ".rewrite-new";

/**
 * Finishes (or forgets) a local rewrite that a crash interrupted: with the marker written, every new
 * file is complete and is renamed into place; without it, the half-written new files are dropped
 * and the artifact is as before (the redaction job runs again).
 */
function recoverLocal(dir: string): void {
  const marker = path.join(dir, PENDING);
  const names = fs.existsSync(marker) ? (JSON.parse(fs.readFileSync(marker, "utf8")) as string[]) : null;
  for (const f of fs.readdirSync(dir)) {
    if (!f.endsWith(NEW_SUFFIX)) continue;
    const target = f.slice(0, -NEW_SUFFIX.length);
    if (names?.includes(target)) fs.renameSync(path.join(dir, f), path.join(dir, target));
    else fs.rmSync(path.join(dir, f), { force: true });
  }
  if (names) fs.rmSync(marker, { force: true });
}

function writeFileSynced(file: string, data: Buffer): void {
  const fd = fs.openSync(file, "w");
  try {
    fs.writeSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

const isComplete = (dir: string) => fs.existsSync(path.join(dir, "manifest.json"));

/** When a local artifact was published: its manifest's `created` (a redaction rewrites the file, not the time), else the file's time. */
function createdOf(dir: string): string {
  const file = path.join(dir, "manifest.json");
  try {
    const created = (JSON.parse(fs.readFileSync(file, "utf8")) as { created?: unknown }).created;
    if (typeof created === "string" && Number.isFinite(Date.parse(created))) return new Date(created).toISOString();
  } catch {
    /* unreadable: the file's time */
  }
  return fs.statSync(file).mtime.toISOString();
}

class LocalStore implements ArtifactStore {
  readonly backend = "local" as const;
  readonly shared = false;

  private dir(ref: ArtifactRef): string {
    return path.join(localKindDir(ref.shop, ref.kind), safeSegment(ref.name));
  }

  publish(ref: ArtifactRef, dir: string): string {
    const final = this.dir(ref);
    if (isComplete(final)) {
      fs.rmSync(dir, { recursive: true, force: true });
      return final;
    }
    fs.mkdirSync(path.dirname(final), { recursive: true });
    fs.rmSync(final, { recursive: true, force: true }); // an incomplete leftover
    fs.renameSync(dir, final);
    return final;
  }

  has(ref: ArtifactRef): boolean {
    return isComplete(this.dir(ref));
  }

  fetch(ref: ArtifactRef): string | null {
    const dir = this.dir(ref);
    if (!fs.existsSync(dir)) return null;
    recoverLocal(dir);
    return isComplete(dir) ? dir : null;
  }

  list(shop: string, kind: ArtifactKind): ArtifactInfo[] {
    const root = localKindDir(shop, kind);
    if (!fs.existsSync(root)) return [];
    const out: ArtifactInfo[] = [];
    for (const name of fs.readdirSync(root)) {
      if (name.startsWith(".")) continue;
      const dir = path.join(root, name);
      if (!fs.statSync(dir).isDirectory()) continue;
      recoverLocal(dir);
      if (!isComplete(dir)) continue;
      out.push({ name, createdAt: createdOf(dir) });
    }
    return out.sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : a.name < b.name ? 1 : -1));
  }

  /** New files complete first, then the marker (the commit), then the renames, then no marker. */
  rewrite(ref: ArtifactRef, files: Record<string, Buffer>): void {
    const dir = this.dir(ref);
    recoverLocal(dir);
    const names = Object.keys(files);
    for (const n of names) writeFileSynced(path.join(dir, safeSegment(n) + NEW_SUFFIX), files[n]);
    const marker = path.join(dir, PENDING);
    writeFileSynced(`${marker}.tmp`, Buffer.from(JSON.stringify(names)));
    fs.renameSync(`${marker}.tmp`, marker);
    recoverLocal(dir);
  }

  remove(shop: string, kind: ArtifactKind, names: string[]): void {
    for (const n of names) fs.rmSync(this.dir({ shop, kind, name: n }), { recursive: true, force: true });
  }
}

/** Where this machine keeps the artifacts it fetched from the database. */
export function cacheDir(shop: string, kind?: ArtifactKind): string {
  const root = path.join(dataDir(), "artifact-cache", safeSegment(shop));
  return kind ? path.join(root, kind) : root;
}

/** Removes this machine's cached copies of a shop's artifacts (shop/redact announced by another machine). */
export function dropLocalCopies(shop: string): void {
  fs.rmSync(cacheDir(shop), { recursive: true, force: true });
}

class DatabaseStore implements ArtifactStore {
  readonly backend = "database" as const;
  readonly shared = true;

  private cached(ref: ArtifactRef, hash: string): string {
    return path.join(cacheDir(ref.shop, ref.kind), `${safeSegment(ref.name)}@${hash.slice(0, 20)}`);
  }

  /** Removes this machine's cached copies of an artifact other than `keep` (older contents, e.g. before a redaction). */
  private forgetCopies(ref: ArtifactRef, keep: string | null): void {
    const root = cacheDir(ref.shop, ref.kind);
    if (!fs.existsSync(root)) return;
    for (const f of fs.readdirSync(root)) {
      const full = path.join(root, f);
      if (full !== keep && (f.startsWith(`${ref.name}@`) || f.startsWith(`.tmp-${ref.name}@`))) fs.rmSync(full, { recursive: true, force: true });
    }
  }

  publish(ref: ArtifactRef, dir: string, createdAt: Date): string {
    const files: Record<string, ArtifactFileInfo> = {};
    const contents = new Map<string, Buffer>();
    let bytes = 0;
    for (const name of fs.readdirSync(dir).sort()) {
      const data = fs.readFileSync(path.join(dir, safeSegment(name)));
      const sha = sha256(data);
      files[name] = { bytes: data.byteLength, sha256: sha };
      contents.set(sha, data);
      bytes += data.byteLength;
    }
    const hash = contentHash(files);
    const inserted = insertArtifact({ shop: ref.shop, kind: ref.kind, name: ref.name, hash, bytes, files, createdAt }, contents);
    if (!inserted) {
      fs.rmSync(dir, { recursive: true, force: true });
      return this.fetch(ref)!;
    }
    // The writer's own copy becomes its cache: it reads what it wrote without a download.
    const cached = this.cached(ref, hash);
    fs.mkdirSync(path.dirname(cached), { recursive: true });
    fs.rmSync(cached, { recursive: true, force: true });
    fs.renameSync(dir, cached);
    return cached;
  }

  has(ref: ArtifactRef): boolean {
    return getArtifactRow(ref.shop, ref.kind, ref.name) !== null;
  }

  fetch(ref: ArtifactRef): string | null {
    const row = getArtifactRow(ref.shop, ref.kind, ref.name);
    if (!row) {
      this.forgetCopies(ref, null);
      return null;
    }
    const dir = this.cached(ref, row.hash);
    if (fs.existsSync(path.join(dir, ".complete"))) return dir;
    const tmp = path.join(path.dirname(dir), `.tmp-${path.basename(dir)}-${process.pid}-${crypto.randomBytes(3).toString("hex")}`);
    fs.mkdirSync(tmp, { recursive: true });
    try {
      for (const [name, info] of Object.entries(row.files)) {
        const data = readArtifactContents(ref.shop, info.sha256);
        if (!data || data.byteLength !== info.bytes || sha256(data) !== info.sha256) {
          throw new Error(`artifact ${ref.shop} ${ref.kind}/${ref.name}: ${name} is missing or damaged in the database (expected ${info.bytes} bytes, sha256 ${info.sha256.slice(0, 12)})`);
        }
        fs.writeFileSync(path.join(tmp, safeSegment(name)), data);
      }
      fs.writeFileSync(path.join(tmp, ".complete"), row.hash);
      fs.rmSync(dir, { recursive: true, force: true });
      fs.renameSync(tmp, dir);
    } catch (e) {
      fs.rmSync(tmp, { recursive: true, force: true });
      throw e;
    }
    this.forgetCopies(ref, dir);
    return dir;
  }

  list(shop: string, kind: ArtifactKind): ArtifactInfo[] {
    return listArtifactRows(shop, kind).map((r) => ({ name: r.name, createdAt: r.createdAt }));
  }

  rewrite(ref: ArtifactRef, replaced: Record<string, Buffer>): void {
    const row = getArtifactRow(ref.shop, ref.kind, ref.name);
    if (!row) throw new Error(`artifact ${ref.shop} ${ref.kind}/${ref.name} does not exist: nothing to rewrite`);
    const files = { ...row.files };
    const contents = new Map<string, Buffer>();
    for (const [name, data] of Object.entries(replaced)) {
      const sha = sha256(data);
      files[safeSegment(name)] = { bytes: data.byteLength, sha256: sha };
      contents.set(sha, data);
    }
    const bytes = Object.values(files).reduce((s, f) => s + f.bytes, 0);
    rewriteArtifact(ref.shop, ref.kind, ref.name, { hash: contentHash(files), bytes, files }, contents);
    this.forgetCopies(ref, null);
  }

  remove(shop: string, kind: ArtifactKind, names: string[]): void {
    deleteArtifacts(shop, kind, names);
    for (const name of names) this.forgetCopies({ shop, kind, name }, null);
  }
}

const stores = { local: new LocalStore(), database: new DatabaseStore() };

/** The store FACET_ARTIFACT_STORE names. */
export function artifactStore(): ArtifactStore {
  return stores[env().FACET_ARTIFACT_STORE];
}

/** A fresh temporary folder for a writer, next to where the artifact will live (same file system for the local backend's rename). */
export function stagingDir(ref: ArtifactRef): string {
  const root = artifactStore().backend === "local" ? localKindDir(ref.shop, ref.kind) : cacheDir(ref.shop, ref.kind);
  const dir = path.join(root, `.tmp-${safeSegment(ref.name)}-${process.pid}-${crypto.randomBytes(3).toString("hex")}`);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** Keeps the newest `keep` artifacts of a kind (and any named in `protect`); removes the rest. Returns the names removed. */
export function collectArtifacts(shop: string, kind: ArtifactKind, keep: number, protect: (name: string, createdAt: string) => boolean = () => false): string[] {
  const store = artifactStore();
  const all = store.list(shop, kind);
  const drop = all.slice(keep).filter((a) => !protect(a.name, a.createdAt)).map((a) => a.name);
  store.remove(shop, kind, drop);
  return drop;
}
