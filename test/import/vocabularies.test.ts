/**
 * Open vocabularies: descriptive categories are mapped when the spelling is sure, kept as given
 * otherwise, with one warning line per column; values that change a row's meaning stay strict.
 */
import { expect, it } from "vitest";
import { importFolder } from "../../app/import/importFolder.server";
import { rawDb } from "../../app/db.server";
import { CUSTOMERS, parseCategoryValue, spellingKey } from "../../app/import/schemas";
import { useTempDatabase } from "../helpers/db";
import { folder, GOOD_PRODUCTS, PRODUCTS_HEADER } from "./helpers";

useTempDatabase();

const col = (name: string) => CUSTOMERS.columns.find((c) => c.name === name)!;

it("maps sure spellings to the seed's values and keeps the rest as given", () => {
  const gender = col("gender");
  for (const raw of ["F", "w", "weiblich", "Frau", "Frau.", "WOMAN", "Weiblich"]) expect(parseCategoryValue(raw, gender)).toEqual({ value: "female", kind: "mapped" });
  for (const raw of ["M", "m", "männlich", "maennlich", "Herr", "Mann".slice(0, 1)]) expect(parseCategoryValue(raw, gender).value).toBe("male");
  expect(parseCategoryValue("female", gender)).toEqual({ value: "female", kind: "known" });
  expect(parseCategoryValue("Female", gender)).toEqual({ value: "female", kind: "mapped" });
  expect(parseCategoryValue("X", gender)).toEqual({ value: "X", kind: "kept" });
  expect(parseCategoryValue("18 – 25", col("age_group"))).toEqual({ value: "18-25", kind: "mapped" });
  expect(parseCategoryValue("56-65", col("age_group"))).toEqual({ value: "56-65", kind: "kept" });
  expect(parseCategoryValue("First Time", col("customer_segment"))).toEqual({ value: "first-time", kind: "mapped" });
  expect(parseCategoryValue("technician", col("customer_segment"))).toEqual({ value: "technician", kind: "kept" });
  expect(parseCategoryValue("Mid", col("income_bracket")).value).toBe("medium");
  expect(parseCategoryValue("mid-range", col("preferred_price_range")).value).toBe("mid");
  expect(spellingKey(" Keine_Angabe ")).toBe("keine-angabe");
});

const customers = (rows: string[]) => `customer_id,gender,age_group,customer_segment,income_bracket,preferred_price_range\n${rows.join("\n")}\n`;

it("imports a real export's own categories with one warning summary per column, not a refusal", async () => {
  const occupations = ["technician", "other", "writer", "executive", "administrator", "student", "lawyer"];
  const rows = occupations.map((o, i) => `C${i},${["F", "M", "weiblich", "Herr", "w", "x", "female"][i]},${["18 - 25", "26-35", "56+", "", "46+", "36–45", "under 18"][i]},${o},${["low", "Mid", "upper", "", "high", "", ""][i]},${["budget", "mid-range", "", "Luxus", "", "", "cheap"][i]}`);
  const dir = folder({ "products.csv": GOOD_PRODUCTS, "customers.csv": customers(rows) });
  const shop = "vocab.myshopify.com";
  const r = await importFolder({ shop, dir });
  expect(r.problems).toEqual([]);
  expect(r.written).toBe(true);
  const about = (column: string) => r.warnings.filter((w) => w.startsWith(`customers.csv:1: ${column}: `));
  for (const c of ["gender", "age_group", "customer_segment", "income_bracket", "preferred_price_range"]) expect(about(c)).toHaveLength(1);
  expect(about("customer_segment")[0]).toBe(
    "customers.csv:1: customer_segment: 7 distinct value(s) not in the seed's examples (administrator, executive, lawyer, other, student, ...) in 7 row(s): kept as segments (the seed's are first-time, regular, vip, inactive)",
  );
  expect(about("gender")[0]).toMatch(/5 other spelling\(s\) read as the seed's values in 5 row\(s\) \(.*"F" -> female.*\); 1 distinct value\(s\) not in the seed's examples \(x\) in 1 row\(s\): kept as genders/);
  expect(about("age_group")[0]).toMatch(/2 other spelling\(s\).*"18 - 25" -> 18-25.*2 distinct value\(s\) not in the seed's examples \(56\+, under 18\)/);
  const stored = rawDb().prepare(`SELECT id, gender, ageGroup, segment, incomeBracket, preferredPriceRange FROM Customer WHERE shop = ? ORDER BY id`).all(shop);
  expect(stored).toEqual([
    { id: "C0", gender: "female", ageGroup: "18-25", segment: "technician", incomeBracket: "low", preferredPriceRange: "budget" },
    { id: "C1", gender: "male", ageGroup: "26-35", segment: "other", incomeBracket: "medium", preferredPriceRange: "mid" },
    { id: "C2", gender: "female", ageGroup: "56+", segment: "writer", incomeBracket: "upper", preferredPriceRange: null },
    { id: "C3", gender: "male", ageGroup: null, segment: "executive", incomeBracket: null, preferredPriceRange: "luxury" },
    { id: "C4", gender: "female", ageGroup: "46+", segment: "administrator", incomeBracket: "high", preferredPriceRange: null },
    { id: "C5", gender: "x", ageGroup: "36-45", segment: "student", incomeBracket: null, preferredPriceRange: null },
    { id: "C6", gender: "female", ageGroup: "under 18", segment: "lawyer", incomeBracket: null, preferredPriceRange: "cheap" },
  ]);
});

it("stays strict where a value changes the row's meaning", async () => {
  const dir = folder({
    "products.csv": `${PRODUCTS_HEADER}\nP1,Ring,rings,Facet,34.00,,Silber,available\n`,
    "customers.csv": "customer_id\nC1\n",
    "orders.csv": "order_id,customer_id,order_date,order_status,total_amount\nO1,C1,2024-10-15,storniert,34.00\n",
    "interactions.csv": "interaction_id,customer_id,product_id,interaction_type,timestamp\nI1,C1,P1,bought,2024-10-15\n",
  });
  const r = await importFolder({ shop: "strict.myshopify.com", dir });
  expect(r.written).toBe(false);
  expect(r.problems).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^products\.csv:2: stock_status: "available" is not one of/),
      expect.stringMatching(/^orders\.csv:2: order_status: "storniert" is not one of/),
      expect.stringMatching(/^interactions\.csv:2: interaction_type: "bought" is not one of/),
    ]),
  );
});
