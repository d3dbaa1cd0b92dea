"use client";
import Link from "next/link";
import { TableBody } from "./TableBody";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useTransition, type ReactNode } from "react";
import { flexRender, getCoreRowModel, useReactTable, type ColumnDef } from "@tanstack/react-table";
import { Button } from "./Button";
import { Input, Select } from "./Field";
import { fmtCount } from "./format";

export type ServerColumn = { id: string; header: string; sortable?: boolean; className?: string };
export type ServerRow = { key: string; cells: Record<string, ReactNode>; href?: string };
export type ServerFilter = { id: string; label: string; options: { value: string; label: string }[] };

/**
 * A registry table whose sorting, filtering and paging happen on the server: every control
 * writes the URL (so a view can be shared and the CSV link exports exactly it).
 */
export function ServerTable(props: {
  caption: string;
  columns: ServerColumn[];
  rows: ServerRow[];
  total: number;
  /** The count stopped early (a view no rollup can count): shown as "10,000+". */
  totalCapped?: boolean;
  page: number;
  pageSize: number;
  filters?: ServerFilter[];
  searchPlaceholder?: string;
  /** false when the page has its own filter bar with a text field. */
  search?: boolean;
  csvHref?: string;
  empty?: ReactNode;
}) {
  const { caption, columns, rows, total, totalCapped, page, pageSize, filters = [], searchPlaceholder, search = true, csvHref, empty } = props;
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const [pending, startTransition] = useTransition();
  const sort = params.get("sort");
  const dir = params.get("dir") === "desc" ? "desc" : "asc";
  const pages = Math.max(1, Math.ceil(total / pageSize));

  const hrefWith = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(params.toString());
    for (const [k, v] of Object.entries(changes)) {
      if (v === null || v === "") next.delete(k);
      else next.set(k, v);
    }
    const qs = next.toString();
    return qs ? `${pathname}?${qs}` : pathname;
  };
  const go = (changes: Record<string, string | null>) => startTransition(() => router.push(hrefWith(changes)));

  const defs: ColumnDef<ServerRow>[] = columns.map((c) => ({ id: c.id, header: c.header, cell: (info) => info.row.original.cells[c.id] }));
  // eslint-disable-next-line react-hooks/incompatible-library
  const table = useReactTable({ data: rows, columns: defs, getCoreRowModel: getCoreRowModel(), manualSorting: true, manualPagination: true, manualFiltering: true, getRowId: (r) => r.key });

  function onSearch(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    go({ q: String(new FormData(e.currentTarget).get("q") ?? "").trim(), page: null });
  }

  return (
    <div className="space-y-3" aria-busy={pending}>
      <div className="flex flex-wrap items-end gap-2">
        {search && (
          <form role="search" onSubmit={onSearch} className="flex items-end gap-2">
            <label className="text-sm">
              <span className="mb-1 block">Search</span>
              <Input name="q" defaultValue={params.get("q") ?? ""} placeholder={searchPlaceholder ?? "Search"} key={params.get("q") ?? ""} />
            </label>
            <Button type="submit" variant="secondary">
              Search
            </Button>
          </form>
        )}
        {filters.map((f) => (
          <label key={f.id} className="text-sm">
            <span className="mb-1 block">{f.label}</span>
            <Select aria-label={f.label} value={params.get(f.id) ?? ""} onChange={(e) => go({ [f.id]: e.target.value, page: null })}>
              <option value="">all</option>
              {f.options.map((o) => (
                <option key={o.value} value={o.value}>
                  {o.label}
                </option>
              ))}
            </Select>
          </label>
        ))}
        <span className="ml-auto flex items-center gap-3 text-sm">
          {pending && (
            <span role="status" className="text-slate-500">
              Loading…
            </span>
          )}
          <span data-testid="list-total" className="text-slate-600 dark:text-slate-400">
            {fmtCount(total)}
            {totalCapped ? "+" : ""} {total === 1 && !totalCapped ? "row" : "rows"}
          </span>
          {csvHref && (
            <a className="text-brand-600 hover:underline" href={csvHref} download>
              Download CSV
            </a>
          )}
        </span>
      </div>
      {rows.length === 0 && empty ? (
        empty
      ) : (
        <div className="overflow-x-auto rounded-xl border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
          <table className="min-w-full divide-y divide-slate-200 text-sm dark:divide-slate-800">
            <caption className="sr-only">{caption}</caption>
            <thead className="bg-slate-50 dark:bg-slate-900/60">
              {table.getHeaderGroups().map((hg) => (
                <tr key={hg.id}>
                  {hg.headers.map((h) => {
                    const col = columns.find((c) => c.id === h.column.id)!;
                    const active = sort === col.id;
                    return (
                      <th
                        key={h.id}
                        scope="col"
                        aria-sort={active ? (dir === "asc" ? "ascending" : "descending") : undefined}
                        className="px-3 py-2 text-left font-medium text-slate-600 dark:text-slate-300"
                      >
                        {col.sortable ? (
                          <Link href={hrefWith({ sort: col.id, dir: active && dir === "asc" ? "desc" : "asc", page: null })} className="inline-flex items-center gap-1 hover:underline">
                            {col.header}
                            <span aria-hidden>{active ? (dir === "asc" ? "▲" : "▼") : ""}</span>
                          </Link>
                        ) : (
                          flexRender(h.column.columnDef.header, h.getContext())
                        )}
                      </th>
                    );
                  })}
                </tr>
              ))}
            </thead>
            <TableBody table={table} columns={columns} />
          </table>
        </div>
      )}
      <nav aria-label="Pagination" className="flex items-center justify-between text-sm">
        <span>
          Page {fmtCount(page)} of {fmtCount(pages)}
          {totalCapped ? "+" : ""}
        </span>
        <span className="flex gap-3">
          {page > 1 && (
            <Link className="text-brand-600 hover:underline" href={hrefWith({ page: String(page - 1) })}>
              ← Previous
            </Link>
          )}
          {(page < pages || (totalCapped && rows.length === pageSize)) && (
            <Link className="text-brand-600 hover:underline" href={hrefWith({ page: String(page + 1) })}>
              Next →
            </Link>
          )}
        </span>
      </nav>
    </div>
  );
}
