import { describe, expect, it } from "vitest";
import {
  holdoutSplit,
  isRelevant,
  parseHoldoutCsv,
  perCustomerSplit,
  temporalCut,
  temporalSplit,
  validationSplit,
} from "../../app/recommend/eval/splits";
import { DAY, table, tinyCatalog } from "./fixtures";

// Customers A (0), B (1), C (2); an anonymous client (-1).
const events = table(
  ["A", "B", "C"],
  [
    { customer: 0, item: 0, type: "view", at: 1 * DAY },
    { customer: 0, item: 0, type: "purchase", at: 2 * DAY, fromOrder: true },
    { customer: 1, item: 1, type: "purchase", at: 3 * DAY, fromOrder: true },
    { customer: 1, item: 2, type: "purchase", at: 4 * DAY, fromOrder: true, cancelled: true },
    { customer: -1, item: 3, type: "view", at: 5 * DAY },
    // -- test period from day 6 --
    { customer: 0, item: 4, type: "view", at: 6 * DAY },
    { customer: 0, item: 4, type: "purchase", at: 7 * DAY, fromOrder: true },
    { customer: 0, item: 0, type: "purchase", at: 7 * DAY, fromOrder: true }, // a repurchase
    { customer: 1, item: 5, type: "add_to_cart", at: 8 * DAY },
    { customer: 2, item: 6, type: "purchase", at: 9 * DAY }, // interaction-type purchase, no order line
    { customer: -1, item: 7, type: "purchase", at: 9 * DAY }, // anonymous: never ground truth
  ],
);

describe("what counts as relevant", () => {
  it("purchases of known customers, not cancelled; views and carts never", () => {
    expect([...Array(events.length).keys()].filter((i) => isRelevant(events, i))).toEqual([1, 2, 6, 7, 9]);
  });
});

describe("temporal split", () => {
  const split = temporalSplit(events, { cut: 6 * DAY });
  it("training holds no event at or after the cut, of any type or customer", () => {
    expect(split.train.length).toBe(5);
    for (let i = 0; i < split.train.length; i++) expect(split.train.at[i]).toBeLessThan(6 * DAY);
    expect(split.train.customers).toBe(events.customers);
    expect(split.now).toBe(6 * DAY);
  });
  it("test holds purchases after the cut, without repurchases", () => {
    expect(split.test).toEqual(new Map([[0, new Set([4])], [2, new Set([6])]]));
    expect(split.notes.join(" ")).toMatch(/1 repurchase/);
  });
  it("keeps repurchases on request", () => {
    expect(temporalSplit(events, { cut: 6 * DAY, keepRepurchases: true }).test.get(0)).toEqual(new Set([4, 0]));
  });
  it("the default cut leaves the last share of purchases for test", () => {
    // relevant times: 2, 3, 7, 7, 9 days; share 0.4 -> index floor(5 * 0.6) = 3 -> day 7
    expect(temporalCut(events, 0.4)).toBe(7 * DAY);
  });
});

describe("per-customer split", () => {
  const ev = table(
    ["A", "B"],
    [
      { customer: 0, item: 0, type: "purchase", at: 1 * DAY, fromOrder: true },
      { customer: 0, item: 1, type: "purchase", at: 2 * DAY, fromOrder: true },
      { customer: 0, item: 9, type: "view", at: 2.5 * DAY },
      { customer: 0, item: 2, type: "purchase", at: 3 * DAY, fromOrder: true },
      { customer: 0, item: 3, type: "purchase", at: 3 * DAY, fromOrder: true }, // same basket time as 2
      { customer: 0, item: 8, type: "view", at: 4 * DAY }, // after A's cut: leaves training
      { customer: 1, item: 4, type: "purchase", at: 5 * DAY, fromOrder: true }, // one purchase: B stays in training
    ],
  );
  const split = perCustomerSplit(ev, { testShare: 0.3 });
  it("holds out each customer's last purchase times, with everything of theirs after the cut", () => {
    expect(split.test).toEqual(new Map([[0, new Set([2, 3])]]));
    expect(split.userNow.get(0)).toBe(3 * DAY);
    expect(Array.from(split.train.item)).toEqual([0, 1, 9, 4]);
  });
});

describe("holdout split", () => {
  const catalog = tinyCatalog(10);
  it("removes every event of a listed pair from training", () => {
    const split = holdoutSplit(events, [{ customerId: "A", productId: "P4" }, { customerId: "Z", productId: "P1", where: "h.csv:3" }], catalog.index);
    expect(split.test).toEqual(new Map([[0, new Set([4])]]));
    for (let i = 0; i < split.train.length; i++) expect(split.train.customer[i] === 0 && split.train.item[i] === 4).toBe(false);
    expect(split.train.length).toBe(events.length - 2);
    expect(split.notes.join(" ")).toMatch(/h\.csv:3: customer Z/);
  });
  it("parses the file with a header and says where a bad line is", () => {
    expect(parseHoldoutCsv("customer_id,product_id\nA,P4\n\"B\",\"0012\"\n", "h.csv")).toEqual([
      { customerId: "A", productId: "P4", where: "h.csv:2" },
      { customerId: "B", productId: "0012", where: "h.csv:3" },
    ]);
    expect(() => parseHoldoutCsv("customer_id,product_id\nA,P4\nB\n", "h.csv")).toThrow(/h\.csv:3:/);
    expect(() => parseHoldoutCsv("customer_id,product_id\n", "h.csv")).toThrow(/no customer_id,product_id pairs/);
  });
});

describe("validation slice", () => {
  it("is carved from training only: its test period ends before the outer cut", () => {
    const outer = temporalSplit(events, { cut: 6 * DAY });
    const val = validationSplit(outer.train, "temporal", { testShare: 0.5 });
    for (let i = 0; i < val.train.length; i++) expect(val.train.at[i]).toBeLessThan(val.cut);
    expect(val.cut).toBeLessThan(6 * DAY);
    for (const items of val.test.values()) for (const item of items) expect([0, 1, 2]).toContain(item);
  });
});
