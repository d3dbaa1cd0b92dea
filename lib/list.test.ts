import { describe, expect, it } from "vitest";
import { z } from "zod";
import { parseListQuery, sortKey } from "./list";

describe("list params", () => {
  it("parses defaults, filters and drops invalid values", () => {
    const { query, invalid } = parseListQuery(new URLSearchParams("q=mail&page=0&status=bogus&dir=desc"), { status: z.enum(["active", "suspended"]).optional() });
    expect(invalid.sort()).toEqual(["page", "status"]);
    expect(query).toMatchObject({ q: "mail", page: 1, pageSize: 25, dir: "desc" });
    expect(query.status).toBeUndefined();
  });
  it("only sorts by allowed keys", () => {
    expect(sortKey("name", ["name", "owner"] as const, "name")).toBe("name");
    expect(sortKey("password_hash", ["name", "owner"] as const, "owner")).toBe("owner");
  });
});
