// Prisma CLI configuration: the WASM schema engine through the better-sqlite3 adapter, so that
// generate/migrate work offline with no engine download (../shared/STACK.md). Run the CLI through
// `npm run prisma -- <args>` (scripts/prisma.mjs sets the environment it needs).
import fs from "node:fs";
import path from "node:path";
import { defineConfig } from "prisma/config";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";

const url = process.env.DATABASE_URL ?? "file:./data/facet.db";
const file = path.resolve(url.slice("file:".length).split("?")[0]);
fs.mkdirSync(path.dirname(file), { recursive: true });

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  async adapter() {
    return new PrismaBetterSQLite3({ url: "file:" + file });
  },
});
