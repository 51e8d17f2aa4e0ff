import { describe, expect, it } from "vitest";
import { auditReport, monthsBetween, type AuditFacts } from "../../app/import/audit";
import { auditFacts } from "../../app/models/audit.server";
import { importFolder } from "../../app/import/importFolder.server";
import { main } from "../../app/cli/main";
import { useTempDatabase } from "../helpers/db";
import { folder, GOOD_CUSTOMERS, GOOD_INTERACTIONS, GOOD_ITEMS, GOOD_ORDERS, GOOD_PRODUCTS } from "./helpers";

useTempDatabase();

function facts(over: Partial<AuditFacts>): AuditFacts {
  return {
    products: 100, productsWithImage: 100, productsWithEmbedding: 0, customers: 0, customersWithDemographics: 0, customersWithGender: 0,
    customersWithAge: 0, customersWithCountry: 0, orders: 0, interactionsByType: {}, activeCustomers: 0, customerProductPairs: 0,
    customersWithTwoOrMoreProducts: 0, productsWithActivity: 0, ordersPerMonth: [], ordersPerMonthFrom: "orders", firstActivity: null,
    lastActivity: null, activeMonths: 0, duplicateRows: { interactions: 0, orderItems: 0 }, columns: {}, ...over,
  };
}

const verdict = (f: AuditFacts, s: string) => auditReport("x", f).strategies.find((v) => v.strategy === s)!.viable;

describe("audit verdicts (pure)", () => {
  it("collaborative filtering needs 1000 active customers with 2+ products each on average", () => {
    expect(verdict(facts({ activeCustomers: 999, customerProductPairs: 5000, customersWithTwoOrMoreProducts: 900 }), "collaborative")).toBe("limited");
    expect(verdict(facts({ activeCustomers: 1000, customerProductPairs: 2500, customersWithTwoOrMoreProducts: 800 }), "collaborative")).toBe("yes");
    expect(verdict(facts({ activeCustomers: 5000, customerProductPairs: 5050, customersWithTwoOrMoreProducts: 40 }), "collaborative")).toBe("no");
  });

  it("visual needs images or embeddings; a catalogue without photos is not viable", () => {
    expect(verdict(facts({ productsWithImage: 0 }), "visual")).toBe("no");
    expect(verdict(facts({ productsWithImage: 0, productsWithEmbedding: 90 }), "visual")).toBe("yes");
    expect(verdict(facts({ productsWithImage: 10 }), "visual")).toBe("limited");
  });

  it("answers the history and browsing questions", () => {
    const r = auditReport("x", facts({ firstActivity: "2024-01-01T00:00:00.000Z", lastActivity: "2024-05-01T00:00:00.000Z", interactionsByType: { purchase: 10 } }));
    expect(r.questions.find((q) => q.id === "history")!.ok).toBe(false);
    expect(r.questions.find((q) => q.id === "browsing")!.ok).toBe(false);
    expect(monthsBetween("2024-01-01", "2024-07-02")).toBeGreaterThan(6);
  });
});

describe("audit on imported data", () => {
  it("reads facts from the database and prints JSON from the CLI", async () => {
    const shop = "audit.myshopify.com";
    await importFolder({ shop, dir: folder({ "products.csv": GOOD_PRODUCTS, "customers.csv": GOOD_CUSTOMERS, "orders.csv": GOOD_ORDERS, "order_items.csv": GOOD_ITEMS, "interactions.csv": GOOD_INTERACTIONS }) });
    const f = auditFacts(shop);
    expect(f).toMatchObject({ products: 2, customers: 2, orders: 1, activeCustomers: 2, interactionsByType: { view: 1, purchase: 1 }, customersWithAge: 2 });
    expect(f.columns.Product.find((c) => c.column === "description")).toMatchObject({ rows: 2, missing: 2 });
    const logs: string[] = [];
    const log = console.log;
    console.log = (s: string) => void logs.push(s);
    try {
      expect(await main(["audit", "--shop", shop, "--json"])).toBe(0);
    } finally {
      console.log = log;
    }
    const report = JSON.parse(logs.join("\n"));
    expect(report.strategies.map((s: { strategy: string }) => s.strategy)).toContain("collaborative");
    expect(report.facts.products).toBe(2);
  });

  it("facet import exits 1 and prints file:line problems", async () => {
    const errs: string[] = [];
    const err = console.error;
    console.error = (s: string) => void errs.push(s);
    try {
      expect(await main(["import", folder({ "products.csv": GOOD_PRODUCTS.replace("49.90", "teuer") }), "--shop", "cli.myshopify.com"])).toBe(1);
    } finally {
      console.error = err;
    }
    expect(errs.join("\n")).toMatch(/products\.csv:3: price: "teuer" is not a number/);
  });
});
