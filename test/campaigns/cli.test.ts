/** `facet experiment ...` and `facet campaign ...` in-process, with --json, on a seeded temporary shop. */
import { beforeAll, describe, expect, it, vi } from "vitest";
import { useTempDatabase } from "../helpers/db";
import { main } from "../../app/cli/main";
import { seedShop } from "../experiments/fixtures";

useTempDatabase();
const SHOP = "cli-campaigns.myshopify.com";
/** The shop's data is seeded at this time and the campaign commands compute for it (--now). */
const NOW = Date.UTC(2026, 10, 20, 12);
const AT = new Date(NOW).toISOString();

beforeAll(() => {
  seedShop(SHOP, NOW);
});

async function facet(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, "log").mockImplementation((...a) => void out.push(a.join(" ")));
  const error = vi.spyOn(console, "error").mockImplementation((...a) => void err.push(a.join(" ")));
  try {
    const code = await main([...args, "--shop", SHOP]);
    return { code, out: out.join("\n"), err: err.join("\n") };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

describe("facet experiment", () => {
  it("creates, starts, reports, promotes; refuses a second running experiment on a placement", async () => {
    const variants = JSON.stringify([
      { id: "control", name: "Blend", weight: 1 },
      { id: "fresh", name: "New first", weight: 1, settings: { weights: { "new-arrivals": 1 } } },
    ]);
    const created = await facet("experiment", "create", "--name", "new first", "--placement", "home", "--variants", variants, "--json");
    expect(created.code).toBe(0);
    const id = JSON.parse(created.out).id as string;
    expect((await facet("experiment", "start", id, "--json")).code).toBe(0);
    const other = await facet("experiment", "create", "--name", "other", "--placement", "home", "--variants", variants, "--json");
    const second = await facet("experiment", "start", JSON.parse(other.out).id);
    expect(second.code).toBe(1);
    expect(second.err).toMatch(/already running on the home placement/);
    const results = await facet("experiment", "results", id, "--json");
    expect(JSON.parse(results.out)).toMatchObject({ windowDays: 7, variants: [{ variant: "control" }, { variant: "fresh" }], comparisons: [{ verdict: "not enough data yet" }] });
    const promoted = await facet("experiment", "promote", id, "--variant", "fresh", "--json");
    expect(JSON.parse(promoted.out)).toMatchObject({ variant: "fresh", settingsChanged: true, experiment: { status: "stopped", winner: "fresh" } });
    expect((await facet("experiment", "bogus")).code).toBe(2);
  });
});

describe("facet campaign", () => {
  it("builds, saves with a schedule, runs the due ones and lists them", async () => {
    const built = await facet("campaign", "build", "--kind", "new-arrivals", "--segment", "segment=vip;ltv>=500", "--days", "10", "--now", AT, "--json");
    expect(built.code).toBe(0);
    expect(JSON.parse(built.out).recipients.map((r: { customerId: string }) => r.customerId).sort()).toEqual(["C0", "C4", "C8"]);
    const saved = await facet("campaign", "save", "--name", "VIP", "--kind", "new-arrivals", "--segment", "segment=vip", "--schedule", "weekly", "--json");
    const id = JSON.parse(saved.out).id as string;
    expect((await facet("campaign", "build", "--kind", "new-arrivals", "--now", "soon")).code).toBe(2);
    const due = await facet("campaign", "run", "--due", "--now", AT, "--json");
    expect(JSON.parse(due.out)).toMatchObject([{ id, recipients: 3 }]);
    expect(JSON.parse((await facet("campaign", "run", "--due", "--now", AT, "--json")).out)).toEqual([]); // ran a moment ago
    const weekLater = new Date(NOW + 7 * 86_400_000).toISOString();
    expect(JSON.parse((await facet("campaign", "run", "--due", "--now", weekLater, "--json")).out)).toMatchObject([{ id }]); // weekly: due again
    const list = JSON.parse((await facet("campaign", "list", "--json")).out);
    expect(list[0]).toMatchObject({ id, schedule: "weekly" });
    expect(list[0].lastExport).toMatch(/exports/);
    const bad = await facet("campaign", "save", "--name", "x", "--kind", "new-arrivals", "--schedule", "hourly");
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/schedule must be/);
  });
});
