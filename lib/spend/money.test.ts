import { describe, expect, it } from "vitest";
import { fmtPercent, fmtUsd } from "@/components/spend/money";

describe("money display", () => {
  it.each([
    ["0", "$0.00"],
    ["1.005", "$1.01"], // half-up on the digits (a float would say 1.00)
    ["1.004999", "$1.00"],
    ["1234567.5", "$1,234,567.50"],
    ["999.995", "$1,000.00"],
    ["12.345600", "$12.35"],
    ["7", "$7.00"],
    ["-0.001", "$0.00"],
    ["-2.5", "-$2.50"],
  ])("%s → %s", (input, out) => expect(fmtUsd(input)).toBe(out));

  it("passes through what is not a decimal and shows a dash for nothing", () => {
    expect(fmtUsd(null)).toBe("—");
    expect(fmtUsd("n/a")).toBe("n/a");
    expect(fmtPercent(90)).toBe("90 %");
    expect(fmtPercent(90.5)).toBe("90.5 %");
    expect(fmtPercent(null)).toBe("—");
  });
});
