import { describe, expect, it } from "vitest";
import { verdict } from "../../app/recommend/eval/report";

describe("the headline verdict", () => {
  it("claims a win beyond noise only when every paired interval is above 0", () => {
    expect(verdict([], { popularity: { significant: true }, visual: { significant: true } })).toBe(
      "The blend beats random, popularity and every single source, each beyond resampling noise.",
    );
  });
  it("names the recommenders whose gap is within noise", () => {
    const text = verdict([], { popularity: { significant: true }, collaborative: { significant: false }, demographic: { significant: false } });
    expect(text).toContain("within resampling noise");
    expect(text).toContain("collaborative, demographic");
    expect(text).not.toContain("popularity,");
  });
  it("names the recommenders the blend does not beat", () => {
    expect(verdict(["demographic"], { demographic: { significant: false } })).toBe("The best blend does not beat: demographic.");
  });
});
