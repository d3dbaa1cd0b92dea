"use client";
import { useState, type ReactNode } from "react";
import { TableBody } from "./TableBody";
import { flexRender, getCoreRowModel, getSortedRowModel, useReactTable, type ColumnDef, type SortingState } from "@tanstack/react-table";

export type Column = { id: string; header: string; className?: string };
/** A row: display cells by column id, plus optional plain sort values. */
export type Row = { key: string; cells: Record<string, ReactNode>; sort?: Record<string, string | number> };

/** A sortable table for server-shaped rows (cells may be server-rendered nodes). */
export function DataTable({ columns, rows, caption, empty }: { columns: Column[]; rows: Row[]; caption: string; empty?: ReactNode }) {
  const [sorting, setSorting] = useState<SortingState>([]);
  const defs: ColumnDef<Row>[] = columns.map((c) => ({
    id: c.id,
    header: c.header,
    accessorFn: (r) => r.sort?.[c.id] ?? (typeof r.cells[c.id] === "string" || typeof r.cells[c.id] === "number" ? (r.cells[c.id] as string | number) : ""),
    cell: (info) => info.row.original.cells[c.id],
  }));
  // eslint-disable-next-line react-hooks/incompatible-library
  const table = useReactTable({
    data: rows,
    columns: defs,
    state: { sorting },
    onSortingChange: setSorting,
    getCoreRowModel: getCoreRowModel(),
    getSortedRowModel: getSortedRowModel(),
    getRowId: (r) => r.key,
  });

  if (rows.length === 0 && empty) return <>{empty}</>;
  return (
    <div className="overflow-x-auto rounded-xl border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
      <table className="min-w-full divide-y divide-slate-200 text-sm dark:divide-slate-800">
        <caption className="sr-only">{caption}</caption>
        <thead className="bg-slate-50 dark:bg-slate-900/60">
          {table.getHeaderGroups().map((hg) => (
            <tr key={hg.id}>
              {hg.headers.map((h) => {
                const dir = h.column.getIsSorted();
                return (
                  <th
                    key={h.id}
                    scope="col"
                    aria-sort={dir === "asc" ? "ascending" : dir === "desc" ? "descending" : "none"}
                    className="px-3 py-2 text-left font-medium text-slate-600 dark:text-slate-300"
                  >
                    <button type="button" className="inline-flex items-center gap-1 hover:underline" onClick={h.column.getToggleSortingHandler()}>
                      {flexRender(h.column.columnDef.header, h.getContext())}
                      <span aria-hidden>{dir === "asc" ? "▲" : dir === "desc" ? "▼" : ""}</span>
                    </button>
                  </th>
                );
              })}
            </tr>
          ))}
        </thead>
        <TableBody table={table} columns={columns} />
      </table>
    </div>
  );
}
