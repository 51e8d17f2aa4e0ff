/** The clock module: the one place that reads the wall clock, and how a payload's `now` is read. */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { fixedClock, systemClock, timeFrom } from "../app/clock";
import { BadJobInput, jobNow } from "../app/queues/jobs";

const AT = "2026-11-20T12:00:00.000Z";

describe("clock", () => {
  it("a fixed clock answers its time however late it is asked", () => {
    const c = fixedClock(AT);
    expect(c.now().toISOString()).toBe(AT);
    expect(c.nowMs()).toBe(Date.parse(AT));
    expect(fixedClock(Date.parse(AT)).now().toISOString()).toBe(AT);
    expect(fixedClock(new Date(AT)).nowMs()).toBe(Date.parse(AT));
    expect(() => fixedClock("soon")).toThrow(/not a time/);
  });

  it("the system clock reads the real time", () => {
    const before = Date.now();
    const t = systemClock.nowMs();
    expect(t).toBeGreaterThanOrEqual(before);
    expect(t).toBeLessThanOrEqual(Date.now());
  });

  it("a given time wins over the clock; absent falls back to the clock; unreadable is an error", () => {
    const c = fixedClock("2030-01-01T00:00:00Z");
    expect(timeFrom(AT, c).toISOString()).toBe(AT);
    expect(timeFrom(undefined, c).toISOString()).toBe("2030-01-01T00:00:00.000Z");
    expect(timeFrom("", c).toISOString()).toBe("2030-01-01T00:00:00.000Z");
    expect(() => timeFrom("yesterday", c, "--now")).toThrow(/--now: "yesterday" is not an ISO 8601 time/);
  });

  it("a job's time is its payload's now, and a bad now is bad input (no retries)", () => {
    expect(jobNow({ now: AT }).toISOString()).toBe(AT);
    expect(jobNow({}, fixedClock(AT)).toISOString()).toBe(AT);
    expect(() => jobNow({ now: "tomorrow" })).toThrow(BadJobInput);
  });
});

/** Every source file under app/ and workers/ (the code that ships). */
function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : /\.(ts|tsx|mts)$/.test(e.name) ? [p] : [];
  });
}

describe("time is passed in", () => {
  it("nothing outside app/clock.ts reads the wall clock (Date.now() or new Date() without arguments)", () => {
    const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
    const reads = [...sources(path.join(root, "app")), ...sources(path.join(root, "workers"))]
      .filter((f) => path.relative(root, f) !== path.join("app", "clock.ts"))
      .flatMap((f) =>
        fs.readFileSync(f, "utf8").split("\n").flatMap((line, i) => (/\bDate\.now\(\)|\bnew Date\(\s*\)/.test(line) ? [`${path.relative(root, f)}:${i + 1}: ${line.trim()}`] : [])),
      );
    // Take `now` as a parameter (a job: jobNow(payload)); at a boundary use systemClock (docs/decisions/0100).
    expect(reads).toEqual([]);
  });
});
