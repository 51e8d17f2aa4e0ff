/**
 * Issue 15 point 7: every file and folder Facet creates is its owner's only (files 0600, folders
 * 0700): the database and its WAL, model versions, indexes, bundles, sync downloads, batch and
 * campaign CSVs, data-request exports. One place sets it for the whole process, the file-creation
 * mask, so that a writer added later cannot forget it; the writers that hold customer ids also pass
 * the modes explicitly (app/serving/batch.server.ts, app/models/privacy.server.ts,
 * app/campaigns/campaigns.server.ts, app/db.server.ts). Called first by every entry point: the
 * server's start-up (app/server/lifecycle.server.ts), the worker (workers/index.ts) and the CLI
 * (app/cli/main.ts). The data folder itself is created 0700, or narrowed to it when it exists.
 */
import fs from "node:fs";
import { isMainThread } from "node:worker_threads";

export const PRIVATE_UMASK = 0o077;

export function keepFilesPrivate(dataFolder: string): void {
  // Worker threads share the process's mask and may not set it.
  if (isMainThread) process.umask(PRIVATE_UMASK);
  fs.mkdirSync(dataFolder, { recursive: true, mode: 0o700 });
  try {
    if ((fs.statSync(dataFolder).mode & 0o077) !== 0) fs.chmodSync(dataFolder, 0o700);
  } catch (e) {
    // A folder owned by someone else (a mounted volume): its modes are the operator's.
    if ((e as NodeJS.ErrnoException).code !== "EPERM") throw e;
  }
}
