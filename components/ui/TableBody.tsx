"use client";
import { flexRender, type Table } from "@tanstack/react-table";

/** The body rows of a TanStack table, shared by DataTable and ServerTable (per-column classes). */
export function TableBody<T>({ table, columns }: { table: Table<T>; columns: { id: string; className?: string }[] }) {
  return (
    <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
      {table.getRowModel().rows.map((r) => (
        <tr key={r.id} className="hover:bg-slate-50 dark:hover:bg-slate-800/50">
          {r.getVisibleCells().map((cell) => (
            <td key={cell.id} className={`px-3 py-2 align-top ${columns.find((c) => c.id === cell.column.id)?.className ?? ""}`}>
              {flexRender(cell.column.columnDef.cell, cell.getContext())}
            </td>
          ))}
        </tr>
      ))}
    </tbody>
  );
}
