import { stringify } from "csv-stringify/sync";

/**
 * The one CSV writer of the app (list exports, the tool-call explorer, the evidence bundle).
 * Serialisation is csv-stringify's (a maintained writer: escaping, quoting, CRLF records); this
 * module decides what a cell is:
 *
 * - every text cell is quoted (dates, booleans, arrays and objects become text), so a separator
 *   inside a cell (`x;=1+1` read by a spreadsheet set to `;`) never splits it into a new cell;
 * - text that a spreadsheet could take as a formula gets a leading `'` (formula neutralisation):
 *   it starts — after any leading spaces — with `=`, `+`, `-`, `@` (or their full-width forms),
 *   or with a tab, CR or LF;
 * - finite numbers stay unquoted numbers; null/undefined is an empty cell.
 */
export type CsvValue = unknown;

const FORMULA_START = /^[\s\u00a0]*[=+\-@\uff1d\uff0b\uff0d\uff20]|^[\t\r\n]/;

/** Text a spreadsheet will show as text: the formula neutralisation applied. */
export function neutraliseCsvText(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/** A cell's value as the writer gets it: a number, a (neutralised) string, or null. */
function toCell(value: CsvValue): string | number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "number") return Number.isFinite(value) ? value : String(value);
  if (typeof value === "bigint") return value.toString(); // beyond double precision: kept as text
  let text: string;
  if (value instanceof Date) text = Number.isNaN(value.getTime()) ? "" : value.toISOString();
  else if (Array.isArray(value)) text = value.map((v) => (v !== null && typeof v === "object" ? JSON.stringify(v) : String(v))).join("; ");
  else if (typeof value === "object") text = JSON.stringify(value);
  else text = String(value);
  return neutraliseCsvText(text);
}

const OPTIONS = { quoted_string: true, record_delimiter: "windows", cast: { number: (n: number) => String(n) } } as const;

/** One CSV record (CRLF-terminated). */
export function csvRow(values: CsvValue[]): string {
  return stringify([values.map(toCell)], OPTIONS);
}

/** A CSV document: a header row and one record per row, cells picked by column key. */
export function toCsv(columns: { key: string; header: string }[], rows: Record<string, unknown>[]): string {
  return stringify(
    [columns.map((c) => c.header), ...rows.map((r) => columns.map((c) => r[c.key]))].map((values) => values.map(toCell)),
    OPTIONS,
  );
}

/** A CSV download (never cached). */
export function csvResponse(filename: string, csv: string): Response {
  return new Response(csv, {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="${filename.replace(/[^A-Za-z0-9._-]/g, "_")}"`,
      "cache-control": "no-store",
    },
  });
}
