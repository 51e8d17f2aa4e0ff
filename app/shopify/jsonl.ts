/**
 * Reads the JSONL output of an Admin GraphQL bulk operation and rebuilds the object trees.
 *
 * Shopify flattens nested connections: every node is one line, and a node of a nested connection
 * carries `__parentId`, the id of the node it belongs to. Lines arrive in no guaranteed order (a
 * product's variant may come before the product, or long after a later product), so a root is
 * complete only at the end of the file. We therefore read the whole file line by line (streaming,
 * never the whole text in memory at once), keep each node once, and attach children at the end.
 * Memory is proportional to the number of nodes (about 1 KB per node; 100,000 lines ~ 100 MB at
 * worst), which the bulk sync accepts per resource; see docs/decisions/shopify-integration.md.
 *
 * Errors name the line (1-based) and, for malformed JSON, the column, with what to do.
 */
import fs from "node:fs";
import readline from "node:readline";
import type { Readable } from "node:stream";

/** One node of the output: its own fields, plus its children grouped by type ("ProductVariant", ...). */
export interface BulkNode {
  id: string;
  /** 1-based line of the file where this node was read. */
  line: number;
  data: Record<string, unknown>;
  children: Map<string, BulkNode[]>;
}

export class JsonlError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number | undefined,
    readonly problem: string,
  ) {
    super(`${file}:${line}${column !== undefined ? `:${column}` : ""}: ${problem}`);
  }
}

/** "gid://shopify/ProductVariant/123" -> "ProductVariant"; used to group children by type. */
export function gidType(gid: string): string {
  const m = /^gid:\/\/shopify\/([A-Za-z]+)\//.exec(gid);
  return m ? m[1] : "Unknown";
}

/** "gid://shopify/Product/123" -> "123" (ids stay strings: 19-digit ids do not fit JS numbers). */
export function gidId(gid: string): string {
  const i = gid.lastIndexOf("/");
  const tail = i >= 0 ? gid.slice(i + 1) : gid;
  const q = tail.indexOf("?");
  return q >= 0 ? tail.slice(0, q) : tail;
}

function columnOf(message: string, text: string): number | undefined {
  const m = /position (\d+)/.exec(message);
  if (m) return Number(m[1]) + 1;
  return text.length > 0 ? 1 : undefined;
}

/** Parses one line; throws JsonlError naming file:line:column. Blank lines are skipped (null). */
export function parseLine(text: string, line: number, file: string): { id?: string; parentId?: string; data: Record<string, unknown> } | null {
  if (text.trim() === "") return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const message = (e as Error).message;
    throw new JsonlError(file, line, columnOf(message, text), `malformed JSON (${message}); the bulk operation output is corrupt or truncated: download it again`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new JsonlError(file, line, 1, "expected one JSON object per line");
  }
  const data = value as Record<string, unknown>;
  const parentId = data.__parentId;
  if (parentId !== undefined && typeof parentId !== "string") {
    throw new JsonlError(file, line, undefined, "__parentId must be a string gid");
  }
  const id = typeof data.id === "string" ? data.id : undefined;
  return { id, parentId: parentId as string | undefined, data };
}

export interface ReconstructOptions {
  /** Name used in error messages (a path). */
  file?: string;
  /** A child whose parent never appears: "error" (default) or "drop". */
  orphans?: "error" | "drop";
  /** Called every `progressEvery` lines with the count read so far. */
  onLines?: (lines: number) => void;
  progressEvery?: number;
}

export interface Reconstructed {
  /** Top-level nodes in the order they first appeared. */
  roots: BulkNode[];
  lines: number;
  /** Children dropped because their parent never appeared (orphans: "drop"). */
  dropped: number;
}

/**
 * Rebuilds the trees from lines in any order. Accepts an async iterable of lines (a file, a
 * download stream, an array in tests). A node without an id (a connection child with only scalar
 * fields) is kept as a child under a synthetic id.
 */
export async function reconstruct(lines: AsyncIterable<string> | Iterable<string>, opts: ReconstructOptions = {}): Promise<Reconstructed> {
  const file = opts.file ?? "<bulk output>";
  const every = opts.progressEvery ?? 10_000;
  const nodes = new Map<string, BulkNode>();
  const roots: BulkNode[] = [];
  const pending: { node: BulkNode; parentId: string }[] = [];
  let n = 0;
  for await (const text of lines) {
    n++;
    const parsed = parseLine(text, n, file);
    if (opts.onLines && n % every === 0) opts.onLines(n);
    if (!parsed) continue;
    const id = parsed.id ?? `line:${n}`;
    if (nodes.has(id)) throw new JsonlError(file, n, undefined, `duplicate node ${id} (first on line ${nodes.get(id)!.line})`);
    const data = parsed.data;
    delete data.__parentId;
    const node: BulkNode = { id, line: n, data, children: new Map() };
    nodes.set(id, node);
    if (parsed.parentId) pending.push({ node, parentId: parsed.parentId });
    else roots.push(node);
  }
  let dropped = 0;
  // Attach in line order so that children keep the order Shopify wrote them.
  for (const { node, parentId } of pending) {
    const parent = nodes.get(parentId);
    if (!parent) {
      if (opts.orphans === "drop") {
        dropped++;
        continue;
      }
      throw new JsonlError(file, node.line, undefined, `__parentId ${parentId} names no node in this file; the output is incomplete: run the bulk operation again`);
    }
    const type = gidType(node.id.startsWith("line:") ? String(node.data.__typename ?? "Unknown") : node.id);
    let list = parent.children.get(type);
    if (!list) parent.children.set(type, (list = []));
    list.push(node);
  }
  return { roots, lines: n, dropped };
}

/** Lines of a file or stream, without loading it whole. */
export function linesOf(input: string | Readable): AsyncIterable<string> {
  const stream = typeof input === "string" ? fs.createReadStream(input, { encoding: "utf8" }) : input;
  return readline.createInterface({ input: stream, crlfDelay: Infinity });
}

/** Reads and rebuilds a JSONL file. */
export function reconstructFile(file: string, opts: Omit<ReconstructOptions, "file"> = {}): Promise<Reconstructed> {
  return reconstruct(linesOf(file), { ...opts, file });
}

/** The children of a node of one type ("ProductVariant"), or []. */
export function childrenOf(node: BulkNode, type: string): BulkNode[] {
  return node.children.get(type) ?? [];
}
