import { describe, expect, it } from "vitest";
import { attribute, type OrderLine, type RecClick } from "../../app/recommend/experiments/attribution";
import { compareVariants, variantMetrics } from "../../app/recommend/experiments/report";

const DAY = 86_400_000;
const t0 = Date.UTC(2026, 10, 2); // Monday

// A simulated week with two variants. The ledger below was worked out by hand.
const clicks: RecClick[] = [
  { shopper: "anna", productId: "ring-1", recommendationId: "r1", placement: "product", variant: "A", at: t0 + 1 * DAY },
  { shopper: "anna", productId: "ring-1", recommendationId: "r2", placement: "home", variant: "A", at: t0 + 2 * DAY }, // later click wins
  { shopper: "ben", productId: "chain-7", recommendationId: "r3", placement: "cart", variant: "B", at: t0 }, // out of window for the order on day 8
  { shopper: "cara", productId: "ear-3", recommendationId: "r4", placement: "product", variant: "B", at: t0 + 3 * DAY },
  { shopper: "cara", productId: "ear-3", recommendationId: "r5", placement: "product", variant: "B", at: t0 + 5 * DAY }, // after the order: not used
  { shopper: "dora", productId: "ring-9", recommendationId: "r6", placement: "home", variant: "A", at: t0 + 1 * DAY },
];
const lines: OrderLine[] = [
  // anna buys ring-1 on day 3 (attributed to r2, 80 EUR) and an unrelated bracelet.
  { orderId: "o1", lineId: "o1-1", shopper: "anna", productId: "ring-1", quantity: 1, revenue: 80, at: t0 + 3 * DAY },
  { orderId: "o1", lineId: "o1-2", shopper: "anna", productId: "brace-2", quantity: 1, revenue: 40, at: t0 + 3 * DAY },
  // the same webhook delivered again: counts once
  { orderId: "o1", lineId: "o1-1", shopper: "anna", productId: "ring-1", quantity: 1, revenue: 80, at: t0 + 3 * DAY },
  // ben buys chain-7 on day 8: his click was 8 days earlier, outside the 7-day window
  { orderId: "o2", lineId: "o2-1", shopper: "ben", productId: "chain-7", quantity: 1, revenue: 120, at: t0 + 8 * DAY },
  // cara buys ear-3 on day 4 (attributed to r4), then returns half of it (refund 25)
  { orderId: "o3", lineId: "o3-1", shopper: "cara", productId: "ear-3", quantity: 2, revenue: 50, at: t0 + 4 * DAY },
  // dora's order was cancelled: nothing counts
  { orderId: "o4", lineId: "o4-1", shopper: "dora", productId: "ring-9", quantity: 1, revenue: 300, at: t0 + 2 * DAY, cancelled: true },
];

describe("revenue attribution", () => {
  const result = attribute(clicks, lines, [{ lineId: "o3-1", amount: 25 }], 7);

  it("matches the hand-computed ledger", () => {
    const ledger = result.lines.map((l) => [l.lineId, l.click.recommendationId, l.revenue]);
    expect(ledger).toEqual([
      ["o1-1", "r2", 80],
      ["o3-1", "r4", 25],
    ]);
  });

  it("counts repeated deliveries once and skips cancelled orders", () => {
    const o1 = result.orders.find((o) => o.orderId === "o1")!;
    expect(o1.total).toBe(120);
    expect(o1.attributed).toBe(true);
    expect(result.orders.find((o) => o.orderId === "o4")).toBeUndefined();
    expect(result.orders.find((o) => o.orderId === "o2")!.attributed).toBe(false);
  });

  it("summarises per variant: attributed revenue, RPM, AOV with and without", () => {
    const exposures = [
      { shopper: "anna", variant: "A", firstSeenAt: t0 },
      { shopper: "dora", variant: "A", firstSeenAt: t0 },
      { shopper: "ben", variant: "B", firstSeenAt: t0 },
      { shopper: "cara", variant: "B", firstSeenAt: t0 },
    ];
    const counts = [
      { variant: "A", impressions: 10, clicks: 1, addToCarts: 0 },
      { variant: "B", impressions: 10, clicks: 1, addToCarts: 1 },
    ];
    const orders = result.orders.map((o) => ({ shopper: o.shopper, orderId: o.orderId, total: o.total, at: t0 + DAY }));
    const m = variantMetrics(["A", "B", "C"], exposures, counts, orders, result);
    const A = m.get("A")!.metrics;
    const B = m.get("B")!.metrics;
    expect(A).toMatchObject({ shoppers: 2, impressions: 10, clicks: 1, attributedRevenue: 80, convertedShoppers: 1, revenue: 120 });
    expect(A.rpm).toBeCloseTo(8000, 9);
    expect(B).toMatchObject({ shoppers: 2, impressions: 10, clicks: 1, addToCarts: 1, attributedRevenue: 25, revenue: 145 });
    expect(B.aovWithRecommended).toBe(25);
    expect(B.aovWithoutRecommended).toBe(120);
    expect(m.get("C")!.metrics).toMatchObject({ shoppers: 0, impressions: 0, revenue: 0 });
    const cmp = compareVariants(m.get("A")!, m.get("B")!);
    expect(cmp.enoughData).toBe(false);
    expect(cmp.verdict).toBe("not enough data yet");
  });
});
