import { z } from "zod";
import { textProblem } from "@/lib/validation";
import { AppError } from "@/lib/errors";

/**
 * Server-side list queries for every registry table: search, sort, page and filters, all kept in
 * the URL. Pages and API routes parse the same params, so a CSV export is "this view" exactly.
 */
/** Rows per page when the URL does not say. */
export const DEFAULT_PAGE_SIZE = 25;

export const ZListQuery = z.object({
  q: z.string().trim().max(200).optional(),
  sort: z.string().trim().max(40).optional(),
  dir: z.enum(["asc", "desc"]).default("asc"),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(DEFAULT_PAGE_SIZE),
});
export type TListQuery = z.infer<typeof ZListQuery>;

type Params = URLSearchParams | Record<string, string | string[] | undefined>;

function toRecord(params: Params): Record<string, string> {
  const out: Record<string, string> = {};
  const entries = params instanceof URLSearchParams ? [...params.entries()] : Object.entries(params);
  for (const [k, v] of entries) {
    const value = Array.isArray(v) ? v[0] : v;
    if (value !== undefined && value !== "") out[k] = value;
  }
  return out;
}

/**
 * Parse list params plus a domain's own filters. Invalid values are dropped (a bad URL still
 * shows the list) and reported, so pages can say so and APIs can answer 400.
 */
export function parseListQuery<F extends z.ZodRawShape>(params: Params, filters: F = {} as F) {
  const schema = ZListQuery.extend(filters);
  const raw = toRecord(params);
  // Text the database cannot store (NUL, lone surrogates) is invalid whatever the field's schema.
  const unstorable = Object.keys(raw).filter((k) => textProblem(raw[k]) || textProblem(k));
  for (const key of unstorable) delete raw[key];
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { query: parsed.data as z.infer<typeof schema>, invalid: unstorable };
  const invalid = [...new Set([...unstorable, ...parsed.error.issues.map((i) => String(i.path[0]))])];
  for (const key of invalid) delete raw[key];
  return { query: schema.parse(raw) as z.infer<typeof schema>, invalid };
}

/** Pick the sort column from an allowlist of sortable keys (never a raw client string into a query). */
export function sortKey<K extends string>(requested: string | undefined, allowed: readonly K[], fallback: K): K {
  return (allowed as readonly string[]).includes(requested ?? "") ? (requested as K) : fallback;
}

export type ListResult<Row> = { rows: Row[]; total: number; page: number; pageSize: number };

export const skipTake = (q: TListQuery) => ({ skip: (q.page - 1) * q.pageSize, take: q.pageSize });

/** Max rows a CSV export of one view returns. */
export const CSV_MAX_ROWS = 10_000;

/** Escape LIKE wildcards (Prisma passes `contains` to ILIKE as is) so %, _ and \ match themselves. */
export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** A case-insensitive `contains` filter that matches the search text literally (a `%` is a percent sign). */
export function textContains(q: string) {
  return { contains: escapeLike(q), mode: "insensitive" as const };
}

/** Params that shape a view without narrowing it. */
const NON_FILTER_KEYS = new Set(["sort", "dir", "page", "pageSize"]);

/** Whether a parsed list query narrows the list (a search or any filter): an empty page is then the filters' doing. */
export function isFiltered(query: Record<string, unknown>): boolean {
  return Object.entries(query).some(([k, v]) => !NON_FILTER_KEYS.has(k) && v !== undefined && v !== null && v !== "");
}

/**
 * The query string of the current view, rebuilt from the *parsed* query (so only valid values
 * survive) without its page: what a CSV link, a "first page" link or a shared link carry.
 */
export function viewParams(query: Record<string, unknown>, extra: Record<string, string> = {}): URLSearchParams {
  const out = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (k === "page" || k === "pageSize" || v === undefined || v === null || v === "") continue;
    if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") out.set(k, String(v));
    else if (v instanceof Date && !Number.isNaN(v.getTime())) out.set(k, v.toISOString());
  }
  if (query.pageSize !== undefined && query.pageSize !== DEFAULT_PAGE_SIZE) out.set("pageSize", String(query.pageSize));
  for (const [k, v] of Object.entries(extra)) out.set(k, v);
  return out;
}

/** The response format a list API was asked for: json (default) or csv; null for anything else (a 400). */
export function listFormat(params: URLSearchParams): "json" | "csv" | null {
  const f = params.get("format");
  return f === null || f === "" || f === "json" ? "json" : f === "csv" ? "csv" : null;
}

/** Pages of a list ("Page 3 of 12"): at least one, so an empty list is "page 1 of 1". */
export function pageCount(total: number, pageSize: number): number {
  return Math.max(1, Math.ceil(total / Math.max(1, pageSize)));
}

/**
 * A list API's request: the parsed view and the format asked for. Unlike a page (which drops a bad
 * value and says so), an API answers any invalid param, format included, with a 400 and field errors.
 */
export function parseListRequest<Q>(params: URLSearchParams, parse: (p: URLSearchParams) => { query: Q; invalid: string[] }): { query: Q; format: "json" | "csv" } {
  const { query, invalid } = parse(params);
  const format = listFormat(params);
  const bad = [...invalid, ...(format ? [] : ["format"])];
  if (bad.length || !format) throw new AppError("invalid", "Invalid query.", Object.fromEntries(bad.map((k) => [k, ["Invalid value."]])));
  return { query, format };
}

/** What a list page knows about the view it shows: counts, paging, ignored params, whether it is filtered. */
export type ListView = {
  total: number;
  page: number;
  pageSize: number;
  /** The count stopped early: shown as "10,000+", paging offers "more". */
  totalCapped?: boolean;
  /** Params that were not valid and were ignored (the page still shows the list). */
  invalid: string[];
  /** A search or a filter narrows the list: an empty page is then the filters' doing. */
  filtered: boolean;
  /** The current view's query string without its page (see `viewParams`). */
  params: URLSearchParams;
};

/** The view a list page renders, from its parsed URL and the page of rows it loaded. */
export function listViewOf(parsed: { query: Record<string, unknown>; invalid: string[] }, result: { total: number; page: number; pageSize: number; totalCapped?: boolean }): ListView {
  return {
    total: result.total,
    page: result.page,
    pageSize: result.pageSize,
    totalCapped: result.totalCapped,
    invalid: parsed.invalid,
    filtered: isFiltered(parsed.query),
    params: viewParams(parsed.query),
  };
}
