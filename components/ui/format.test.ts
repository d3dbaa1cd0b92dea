import { describe, expect, it } from "vitest";
import { fmtCount, fmtRelative, fmtUtc } from "./format";

const now = Date.parse("2026-12-07T12:00:00Z");
const at = (deltaMs: number) => new Date(now + deltaMs);

describe("fmtRelative", () => {
  it("reads past and future times as words", () => {
    expect(fmtRelative(at(-3_000), now)).toBe("just now");
    expect(fmtRelative(at(-42_000), now)).toBe("42 s ago");
    expect(fmtRelative(at(-3 * 60_000), now)).toBe("3 min ago");
    expect(fmtRelative(at(-5 * 3600_000), now)).toBe("5 h ago");
    expect(fmtRelative(at(-26 * 3600_000), now)).toBe("yesterday");
    expect(fmtRelative(at(-12 * 86_400_000), now)).toBe("12 days ago");
    expect(fmtRelative(at(40_000), now)).toBe("in 40 s");
    expect(fmtRelative(at(3 * 3600_000), now)).toBe("in 3 h");
    expect(fmtRelative(at(86_400_000), now)).toBe("tomorrow");
    expect(fmtRelative(at(12 * 86_400_000), now)).toBe("in 12 days");
  });
  it("gives the date beyond two months, and a dash for nothing", () => {
    expect(fmtRelative(at(-90 * 86_400_000), now)).toBe("2026-09-08");
    expect(fmtRelative(null, now)).toBe("—");
    expect(fmtRelative("not a date", now)).toBe("—");
  });
  it("gives the exact UTC time and counts with separators", () => {
    expect(fmtUtc(at(1500))).toBe("2026-12-07 12:00:01 UTC");
    expect(fmtCount(1234567)).toBe("1,234,567");
    expect(fmtCount(undefined)).toBe("—");
  });
});
