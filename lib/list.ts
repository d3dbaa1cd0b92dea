import { z } from "zod";
import { textProblem } from "@/lib/validation";

/**
 * Server-side list queries for every registry table: search, sort, page and filters, all kept in
 * the URL. Pages and API routes parse the same params, so a CSV export is "this view" exactly.
 */
export const ZListQuery = z.object({
  q: z.string().trim().max(200).optional(),
  sort: z.string().trim().max(40).optional(),
  dir: z.enum(["asc", "desc"]).default("asc"),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(25),
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
