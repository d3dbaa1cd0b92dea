// Reading Warden's CSV back with a real parser (csv-parse), independently of lib/csv.ts.
import { parse } from "csv-parse/sync";
import { expect } from "vitest";

/** Cells a spreadsheet could run as a formula, or that hide a separator: each must survive as text. */
export const HOSTILE_CELLS = [
  "=1+1",
  "+1",
  "-2",
  "@SUM(A1)",
  "\t=1+1",
  "\r=1+1",
  "\n=1",
  " =1+1",
  "x;=1+1",
  "x,=1+1",
  "x\t=1+1",
  "a;b;c",
  'say "hi"',
  '","=1+1',
  "line1\r\nline2",
  '=HYPERLINK("http://evil.test","x")',
  "\uff1d1+1",
  "'already",
];

/** What a text cell must read back as: the text itself, or with a leading ' when it could run as a formula. */
export function neutralised(text: string): string {
  return /^[\s\u00a0]*[=+\-@\uff1d\uff0b\uff0d\uff20]|^[\t\r\n]/.test(text) ? `'${text}` : text;
}

export type ParsedCell = { value: string; quoted: boolean };

/** Parse a CSV document strictly; every cell with whether it was quoted. */
export function parseCsv(text: string): ParsedCell[][] {
  return parse(text, { cast: (value, ctx) => ({ value, quoted: ctx.quoting }) as unknown as string, relax_column_count: false }) as unknown as ParsedCell[][];
}

/**
 * Assert the export is well-formed CSV in which every text cell is quoted (only numbers and empty
 * cells may be bare) and no cell could be taken for a formula; returns the parsed cells.
 */
export function expectSafeCsv(text: string): ParsedCell[][] {
  const rows = parseCsv(text);
  expect(rows.length).toBeGreaterThan(0);
  for (const row of rows) {
    expect(row).toHaveLength(rows[0].length);
    for (const cell of row) {
      if (!cell.quoted) expect(cell.value, `unquoted text cell ${JSON.stringify(cell.value)}`).toMatch(/^(-?\d+(\.\d+)?(e[+-]?\d+)?)?$/i);
      else expect(cell.value, `formula cell ${JSON.stringify(cell.value)}`).not.toMatch(/^[\s\u00a0]*[=+\-@\uff1d\uff0b\uff0d\uff20]|^[\t\r\n]/);
    }
  }
  return rows;
}

/** The column `name` of the parsed rows (header row first), as values. */
export function csvColumn(rows: ParsedCell[][], name: string): string[] {
  const i = rows[0].findIndex((c) => c.value === name);
  expect(i, `column ${name}`).toBeGreaterThanOrEqual(0);
  return rows.slice(1).map((r) => r[i].value);
}
