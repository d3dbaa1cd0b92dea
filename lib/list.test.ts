import { describe, expect, it } from "vitest";
import { z } from "zod";
import { csvCell, parseListQuery, sortKey, toCsv } from "./list";

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

describe("CSV", () => {
  it("neutralises formula injection and quotes", () => {
    expect(csvCell("=HYPERLINK(\"x\")")).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell("+1")).toBe(`"'+1"`);
    expect(csvCell("-2")).toBe(`"'-2"`);
    expect(csvCell("@SUM(A1)")).toBe(`"'@SUM(A1)"`);
    expect(csvCell("a,b")).toBe(`"a,b"`);
    expect(csvCell(["x", "y"])).toBe("x; y");
    expect(toCsv([{ key: "a", header: "A" }], [{ a: "1" }, { a: null }])).toBe("A\r\n1\r\n\r\n");
  });
});
