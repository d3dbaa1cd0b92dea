import { describe, expect, it } from "vitest";
import { csvRow, toCsv } from "./csv";
import { HOSTILE_CELLS, csvColumn, expectSafeCsv, neutralised, parseCsv } from "@/test/csv";

describe("the CSV writer", () => {
  it("quotes every text cell and neutralises formulas; each hostile cell round-trips as text", () => {
    const csv = toCsv(
      [
        { key: "v", header: "value" },
        { key: "n", header: "n" },
      ],
      HOSTILE_CELLS.map((v, n) => ({ v, n })),
    );
    const rows = expectSafeCsv(csv);
    expect(rows).toHaveLength(HOSTILE_CELLS.length + 1);
    expect(csvColumn(rows, "value")).toEqual(HOSTILE_CELLS.map(neutralised));
    expect(rows.slice(1).map((r) => r[0].quoted)).toEqual(HOSTILE_CELLS.map(() => true));
    expect(csvColumn(rows, "n")).toEqual(HOSTILE_CELLS.map((_, n) => String(n)));
    // The example: quoted, so a ';'-separated reading cannot split it into "=1+1".
    expect(csv).toContain('"x;=1+1"');
  });

  it("non-text values: numbers bare, everything else quoted text", () => {
    const [row] = parseCsv(csvRow([1, -2, 1.5, true, null, undefined, new Date(0), ["a", "=b"], { k: "=v" }, 10n, "", Number.NaN]));
    expect(row.map((c) => [c.value, c.quoted])).toEqual([
      ["1", false],
      ["-2", false],
      ["1.5", false],
      ["true", true],
      ["", false],
      ["", false],
      ["1970-01-01T00:00:00.000Z", true],
      ["a; =b", true],
      ['{"k":"=v"}', true],
      ["10", true],
      ["", true],
      ["NaN", true],
    ]);
  });
});
