import { describe, expect, it } from "vitest";
import { fmtDate, fmtDay, fmtAgo } from "@/components/ui/format";
import { inventoryText, readSecurityAudit, reportDate } from "./report";

describe("reading what a gateway reported", () => {
  it("reads the documented audit: ts as Unix milliseconds (or seconds, or a date string)", () => {
    const a = readSecurityAudit({ ts: 1795381445000, summary: { critical: 1, warn: 1, info: 3 }, findings: [{ checkId: "x", severity: "critical", title: "T", detail: "d" }] });
    expect(a?.ranAt?.toISOString()).toBe("2026-11-22T21:04:05.000Z");
    expect(reportDate(1795381445)?.toISOString()).toBe("2026-11-22T21:04:05.000Z");
    expect(reportDate("2026-11-22T21:04:05Z")?.toISOString()).toBe("2026-11-22T21:04:05.000Z");
    expect(reportDate("1795381445000")?.toISOString()).toBe("2026-11-22T21:04:05.000Z");
  });

  it.each([
    [{ ts: "not a date", summary: { critical: "many", warn: null, info: -3 }, findings: [{ checkId: { x: 1 }, severity: "fatal", title: { nested: 1 }, detail: 42 }, "x", null] }],
    [{ ts: 1e20, summary: "none", findings: "none" }],
    [{ ts: Number.NaN, findings: [{}] }],
    [{ ts: { y: 1 } }],
  ])("never throws on schema-violating data, and returns only strings, finite numbers and valid dates: %j", (stored) => {
    const a = readSecurityAudit(stored)!;
    expect(a.ranAt).toBeNull();
    for (const n of Object.values(a.summary)) expect(Number.isInteger(n) && n >= 0).toBe(true);
    for (const f of a.findings) for (const v of Object.values(f)) expect(typeof v).toBe("string");
    expect(fmtDate(a.ranAt)).toBe("—");
  });

  it("non-objects are no audit; any JSON inventory prints", () => {
    for (const v of [null, "x", 5, [1], true]) expect(readSecurityAudit(v)).toBeNull();
    expect(inventoryText({ a: [1, "x"] })).toContain('"a"');
    expect(inventoryText(undefined)).toBe("");
  });

  it("the date formatters take what a report holds without throwing", () => {
    expect(fmtDate(1795381445000)).toBe("2026-11-22 21:04 UTC");
    expect(fmtDate("garbage")).toBe("—");
    expect(fmtDay(Number.NaN)).toBe("—");
    expect(fmtDay("2026-11-22T00:00:00Z")).toBe("2026-11-22");
    expect(fmtAgo(new Date(Number.NaN))).toBe("never");
  });
});
