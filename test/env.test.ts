import { describe, expect, it } from "vitest";
import { ConfigError, parseEnv } from "../app/env.server";

describe("env module", () => {
  it("has working defaults for the embedded setup", () => {
    const e = parseEnv({});
    expect(e.DATABASE_URL).toBe("file:./data/facet.db");
    expect(e.REDIS_URL).toBeUndefined();
    expect(e.FACET_SHOP).toBe("demo.myshopify.com");
  });

  it("names the variable and what to set when a value is malformed", () => {
    expect(() => parseEnv({ DATABASE_URL: "mysql://x" })).toThrow(ConfigError);
    expect(() => parseEnv({ DATABASE_URL: "mysql://x" })).toThrow(/DATABASE_URL: must be a SQLite URL such as file:.* or a PostgreSQL URL/);
    expect(parseEnv({ DATABASE_URL: "postgresql://postgres@127.0.0.1:5432/facet" }).DATABASE_URL).toMatch(/^postgresql:/);
    expect(() => parseEnv({ REDIS_URL: "localhost:6379" })).toThrow(/REDIS_URL: must be a URL such as redis:\/\//);
    expect(() => parseEnv({ PORT: "eighty" })).toThrow(/PORT/);
  });

  it("treats an empty REDIS_URL as unset (in-process jobs)", () => {
    expect(parseEnv({ REDIS_URL: "" }).REDIS_URL).toBeUndefined();
  });
});
