/**
 * The experiments and campaigns pages' forms, read back on the server (app/ui/experiments.server.ts,
 * app/ui/campaigns.server.ts): what a merchant types becomes the backend's input, and bad input
 * comes back as a message naming the field, never as an exception.
 */
import { describe, expect, it } from "vitest";
import { useTempDatabase } from "../helpers/db";
import { experimentFromForm, experimentsAction, ExperimentFormError, resultsAction } from "../../app/ui/experiments.server";
import { specFromForm, specQuery } from "../../app/ui/campaigns.server";
import { getExperiment, listExperiments } from "../../app/models/experiment.server";

useTempDatabase();
const SHOP = "forms.myshopify.com";

function form(fields: Record<string, string>): FormData {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.set(k, v);
  return f;
}

const BASE = {
  name: "Visual vs. blend",
  placement: "product",
  variantCount: "3",
  "variant.0.name": "Control",
  "variant.0.share": "50",
  "variant.0.kind": "current",
  "variant.1.name": "Visual heavy",
  "variant.1.share": "40",
  "variant.1.kind": "custom",
  "variant.1.weights.visual": "0,8",
  "variant.1.weights.demographic": "0.2",
  "variant.1.weights.popularity": "0",
  "variant.2.name": "Control",
  "variant.2.share": "10",
  "variant.2.kind": "holdout",
};

describe("the create-experiment form", () => {
  it("reads variants, their shares, weights and holdout, and the dates as UTC days", () => {
    const input = experimentFromForm(form({ ...BASE, startAt: "2026-12-01", endAt: "2026-12-15" }));
    expect(input.placement).toBe("product");
    expect(input.variants).toEqual([
      { id: "control", name: "Control", weight: 50 },
      { id: "visual-heavy", name: "Visual heavy", weight: 40, settings: { weights: { visual: 0.8, demographic: 0.2 } } },
      { id: "control-3", name: "Control", weight: 10, holdout: true }, // same name, a distinct id
    ]);
    expect(input.startAt?.toISOString()).toBe("2026-12-01T00:00:00.000Z");
    // Diversity knobs override the placement's only when given.
    const diverse = experimentFromForm(form({ ...BASE, "variant.1.diversity.mmrLambda": "0.6", "variant.1.diversity.explorationSlots": "2" }));
    expect(diverse.variants[1].settings).toEqual({ weights: { visual: 0.8, demographic: 0.2 }, diversity: { mmrLambda: 0.6, explorationSlots: 2 } });
    expect(input.endAt?.toISOString()).toBe("2026-12-15T00:00:00.000Z");
  });

  it.each([
    [{ "variant.2.share": "5" }, "Traffic shares add up to 95 %; make them add up to 100 %."],
    [{ "variant.1.weights.visual": "-1" }, "Variant 2 (Visual heavy) visual weight: enter 0 or more."],
    [{ "variant.1.weights.visual": "lots" }, 'Variant 2 (Visual heavy) visual weight: "lots" is not a number; enter a number.'],
    [{ "variant.1.weights.visual": "0", "variant.1.weights.demographic": "" }, 'Variant 2 (Visual heavy): give at least one source a weight above 0, or choose "Current settings".'],
    [{ "variant.0.kind": "holdout", "variant.1.kind": "holdout" }, "Variants: at least one variant must show recommendations (not every variant can be a holdout)."],
    [{ variantCount: "1" }, "Variants: an experiment needs at least two variants."],
    [{ placement: "checkout" }, "Placement: choose one of product, home, cart, email."],
    [{ name: " " }, "Name: enter a name for the experiment."],
    [{ startAt: "2026-12-10", endAt: "2026-12-01" }, "End: choose a date after the start."],
    [{ startAt: "soon" }, 'Start: "soon" is not a date; use YYYY-MM-DD.'],
    [{ "variant.1.diversity.mmrLambda": "1.5" }, "Invalid recommendation settings:\n  Variant 2 (Visual heavy).placements.product.diversity.mmrLambda: Number must be less than or equal to 1"],
  ])("refuses %o with a message saying what to enter", (change, message) => {
    expect(() => experimentFromForm(form({ ...BASE, ...change }))).toThrow(new ExperimentFormError(message));
  });
});

describe("the experiments page's actions", () => {
  it("creates a draft, starts it, and says why a second one on the placement cannot start", async () => {
    const created = await experimentsAction(SHOP, form({ ...BASE, intent: "create" }));
    expect(created).toMatchObject({ ok: true, message: '"Visual vs. blend" created as a draft: start it when you are ready.' });
    const second = await experimentsAction(SHOP, form({ ...BASE, intent: "create", name: "Another" }));
    expect(await experimentsAction(SHOP, form({ intent: "status", id: created.createdId!, status: "running" }))).toEqual({ ok: true, message: '"Visual vs. blend" started.' });
    expect(await experimentsAction(SHOP, form({ intent: "status", id: second.createdId!, status: "running" }))).toEqual({
      ok: false,
      message: '"Visual vs. blend" is already running on the product placement: pause or stop it first',
    });
    expect((await listExperiments(SHOP)).map((e) => e.status).sort()).toEqual(["draft", "running"]);
    const bad = await experimentsAction(SHOP, form({ ...BASE, intent: "create", "variant.0.share": "80" }));
    expect(bad).toEqual({ ok: false, message: "Traffic shares add up to 130 %; make them add up to 100 %." });
  });

  it("promotes a variant, and refuses the holdout", async () => {
    const { createdId } = await experimentsAction(SHOP, form({ ...BASE, intent: "create", placement: "home" }));
    expect(await resultsAction(SHOP, createdId!, form({ intent: "promote", variant: "control-3" }))).toMatchObject({ ok: false, message: expect.stringMatching(/holdout/) });
    expect(await resultsAction(SHOP, createdId!, form({ intent: "promote", variant: "nope" }))).toEqual({ ok: false, message: 'No variant "nope" in this experiment.' });
    expect(await resultsAction(SHOP, createdId!, form({ intent: "promote", variant: "visual-heavy" }))).toEqual({
      ok: true,
      message: '"Visual heavy" promoted: its settings are now the home placement\'s settings.',
    });
    expect(await getExperiment(SHOP, createdId!)).toMatchObject({ status: "stopped", winner: "visual-heavy" });
  });
});

describe("the campaign builder form", () => {
  it("reads kind, segment, days and products per customer; empty fields take the defaults", () => {
    const spec = specFromForm(form({ kind: "new-arrivals", segment: " segment=vip;gender=female ", days: "45", k: "6" }));
    expect(spec).toEqual({ kind: "new-arrivals", segment: "segment=vip;gender=female", days: 45, k: 6 });
    expect(specFromForm(form({ kind: "complete-your-look", segment: "", days: "", k: "" }))).toEqual({ kind: "complete-your-look" });
    // The export link carries an unsaved spec in its query and reads back the same.
    expect(specFromForm(new URLSearchParams(specQuery(spec)))).toEqual(spec);
  });

  it("refuses a bad type or number with the field's name", () => {
    expect(() => specFromForm(form({ kind: "spam" }))).toThrow("Campaign type: choose one of new-arrivals, complete-your-look.");
    expect(() => specFromForm(form({ kind: "new-arrivals", days: "2.5" }))).toThrow('Days: "2.5" is not a whole number');
    expect(() => specFromForm(form({ kind: "new-arrivals", k: "99" }))).toThrow(/k: .*24/);
  });
});
