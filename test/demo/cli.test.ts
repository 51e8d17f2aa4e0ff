import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { main } from "../../app/cli/main";
import { tempDir } from "./helpers";

const root = tempDir("facet-demo-cli-");
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe("facet generate-demo", () => {
  it("writes the shop with the flags given and prints a JSON summary", async () => {
    const out = path.join(root, "shop");
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    const code = await main(["generate-demo", "--out", out, "--products", "25", "--customers", "10", "--interactions", "120", "--seed", "5", "--now", "2026-06-01", "--no-images", "--json"]);
    const printed = log.mock.calls.map((c) => c.join(" ")).join("\n");
    log.mockRestore();
    expect(code).toBe(0);
    const summary = JSON.parse(printed);
    expect([summary.products, summary.customers, summary.interactions, summary.seed, summary.now]).toEqual([25, 10, 120, 5, "2026-06-01T00:00:00.000Z"]);
    expect(fs.readdirSync(out).sort()).toEqual(["customers.csv", "interactions.csv", "order_items.csv", "orders.csv", "products.csv"]);
  });

  it("refuses a missing --out and bad numbers with a clear message and exit code 2", async () => {
    const err = vi.spyOn(console, "error").mockImplementation(() => {});
    expect(await main(["generate-demo", "--products", "5"])).toBe(2);
    expect(await main(["generate-demo", "--out", root, "--products", "many"])).toBe(2);
    expect(await main(["generate-demo", "--out", root, "--now", "someday"])).toBe(2);
    const messages = err.mock.calls.map((c) => c.join(" ")).join("\n");
    err.mockRestore();
    expect(messages).toContain("--out <dir> is required");
    expect(messages).toContain("--products must be an integer");
    expect(messages).toContain("--now must be a date");
  });
});
