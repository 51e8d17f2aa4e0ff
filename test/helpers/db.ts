/**
 * A fresh SQLite database per test file (migrated on first use), so tests never share state
 * and never touch ./data. Call `useTempDatabase()` at the top of a test file.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll } from "vitest";
import { resetEnvForTests } from "../../app/env.server";
import { closeDb } from "../../app/db.server";

export function useTempDatabase(): { dir: () => string } {
  let dir = "";
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "facet-test-"));
    process.env.DATABASE_URL = `file:${path.join(dir, "test.db")}`;
    process.env.FACET_DATA_DIR = path.join(dir, "data");
    delete process.env.REDIS_URL;
    resetEnvForTests();
  });
  afterAll(async () => {
    await closeDb();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return { dir: () => dir };
}
