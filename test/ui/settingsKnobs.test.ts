/**
 * The settings page's plain controls (issue 18 point 1): presets are recognised from the weights,
 * shares of the mix add up, variety is 1 - MMR's lambda; and what is served when the merchant's
 * saved weights meet the tuned ones (app/serving/snapshot.server.ts servedSettings).
 */
import { describe, expect, it } from "vitest";
import { DEFAULT_SETTINGS } from "../../app/recommend/settings";
import type { BlendTuning } from "../../app/recommend/hybrid/tuneBlend";
import { servedSettings } from "../../app/serving/snapshot.server";
import { PRESETS, PRESET_IDS, SLIDER_SOURCES, cleanWeights, presetOf, shareOf, varietyOf, withVariety } from "../../app/ui/settingsKnobs";
import { en } from "../../app/i18n/messages";

describe("presets and sliders", () => {
  it("each preset is recognised from its weights, and a changed weight is no preset", () => {
    for (const id of PRESET_IDS) expect(presetOf({ ...PRESETS[id], random: 0 })).toBe(id);
    expect(presetOf({ ...PRESETS.balanced, visual: 0.9 })).toBeNull();
    expect(presetOf(DEFAULT_SETTINGS.placements.product.weights)).toBeNull();
  });

  it("shares of the mix add up to 1, an off source has none", () => {
    const w = { visual: 0.7, demographic: 0.3, popularity: 0 };
    expect(shareOf(w, "visual")).toBeCloseTo(0.7);
    expect(SLIDER_SOURCES.reduce((a, s) => a + shareOf(w, s), 0)).toBeCloseTo(1);
    expect(shareOf(w, "popularity")).toBe(0);
    expect(shareOf({}, "visual")).toBe(0);
    expect(cleanWeights(w)).toEqual({ visual: 0.7, demographic: 0.3 });
  });

  it("variety is 1 - lambda both ways", () => {
    const p = DEFAULT_SETTINGS.placements.home;
    expect(varietyOf(p)).toBeCloseTo(1 - p.diversity.mmrLambda);
    expect(withVariety(p, 0.4).diversity.mmrLambda).toBeCloseTo(0.6);
    expect(varietyOf(withVariety(p, 0.4))).toBeCloseTo(0.4);
  });

  it("every slider and preset has a label and a one-line effect in the catalogue", () => {
    for (const s of SLIDER_SOURCES) {
      expect(en).toHaveProperty(`settings.src.${s}`);
      expect(en).toHaveProperty(`settings.src.${s}.help`);
    }
    for (const id of PRESET_IDS) expect(en).toHaveProperty(`settings.preset.${id}.help`);
  });
});

describe("served settings: tuned weights unless the merchant saved their own", () => {
  const home = { defaults: { popularity: 1 }, defaultScore: 0.1, chosen: { "recent-popularity": 1, collaborative: 0.25 }, chosenScore: 0.2, sourceScores: { popularity: 0.1 }, trials: 3 };
  const blend: BlendTuning = {
    objective: "ndcg@10",
    validationUsers: 40,
    spentSeconds: 1,
    stoppedByBudget: false,
    placements: {
      home: { ...home, guard: null },
      general: { ...home, guard: { placement: "general", source: "popularity", metric: "ndcg@10", blendScore: 0.1, sourceScore: 0.3 } },
    },
  };
  it("without a saved mix the tuned weights and guards are served", () => {
    const s = servedSettings(DEFAULT_SETTINGS, new Set(), { blend });
    expect(s.settings.placements.home.weights).toEqual(home.chosen);
    expect(s.guards?.general?.source).toBe("popularity");
  });
  it("the merchant's saved weights win, unguarded; other placements keep the tuned ones", () => {
    const s = servedSettings(DEFAULT_SETTINGS, new Set(["home", "general"] as const), { blend });
    expect(s.settings.placements.home.weights).toEqual(DEFAULT_SETTINGS.placements.home.weights);
    expect(s.guards?.general).toBeUndefined();
    const one = servedSettings(DEFAULT_SETTINGS, new Set(["general"] as const), { blend });
    expect(one.settings.placements.home.weights).toEqual(home.chosen);
  });
  it("no model: the settings as they are", () => {
    expect(servedSettings(DEFAULT_SETTINGS, new Set(), null)).toEqual({ settings: DEFAULT_SETTINGS, guards: null });
  });
});
