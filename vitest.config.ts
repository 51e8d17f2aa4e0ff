import { defineConfig } from "vitest/config";

// Tests run without the Remix/Vite plugin: routes are tested by calling their loaders/actions
// with real Request objects. Each test file gets its own SQLite file (see test/helpers/db.ts).
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "test/**/*.test.tsx"],
    environment: "node",
    // Gives the in-process queue its job registry, as the server's and the CLI's entry points do.
    setupFiles: ["test/helpers/jobs.ts"],
    pool: "forks",
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ["default"],
  },
});
