import { describe, expect, it } from "vitest";
import { DEFAULT_SETTINGS } from "../../app/recommend/settings";
import { placementFromForm } from "../../app/ui/settingsForm";

function form(entries: Record<string, string>): FormData {
  const f = new FormData();
  for (const [k, v] of Object.entries(entries)) f.set(k, v);
  return f;
}

const filled = {
  "weights.visual": "0",
  "weights.popularity": "1",
  "weights.recency": "0,25",
  "rules.excludeOutOfStock": "on",
  "rules.seasonal": "on",
  "rules.priceBand.margin": "0.3",
  "rules.brandAffinity.factor": "0.8",
  "rules.gender.factor": "0.5",
  "rules.pinned": " 12, 13 ,",
  "diversity.mmrLambda": "0.6",
  "diversity.maxPerCategory": "",
  "diversity.maxPerCollection": "2",
  "diversity.maxPriceTierShare": "0.6",
  "diversity.explorationSlots": "0",
};

describe("the settings form", () => {
  it("reads weights (0 leaves a source out), checkboxes (absent = off), numbers, empty caps and pins", () => {
    const p = placementFromForm(DEFAULT_SETTINGS.placements.home, form(filled));
    expect(p.weights).toEqual({ popularity: 1, recency: 0.25 });
    expect(p.rules.excludeOutOfStock).toBe(true);
    expect(p.rules.excludeCurrentAndCart).toBe(false);
    expect(p.rules.priceBand).toEqual({ enabled: false, margin: 0.3 });
    expect(p.rules.pinned).toEqual(["12", "13"]);
    expect(p.diversity.maxPerCategory).toBeNull();
    expect(p.diversity.maxPerCollection).toBe(2);
    // What the form does not show stays as it was.
    expect(p.rules.brandAffinity.minPurchases).toBe(DEFAULT_SETTINGS.placements.home.rules.brandAffinity.minPurchases);
    expect(p.diversity.rareMaxEvents).toBe(DEFAULT_SETTINGS.placements.home.diversity.rareMaxEvents);
  });

  it("names the field that is not a number", () => {
    expect(() => placementFromForm(DEFAULT_SETTINGS.placements.home, form({ ...filled, "diversity.mmrLambda": "lots" }))).toThrow(/diversity\.mmrLambda: "lots" is not a number/);
  });
});
