import Link from "next/link";
import type { ReactNode } from "react";
import { EmptyState } from "./Card";
import { ServerTable, type ServerColumn, type ServerFilter, type ServerRow } from "./ServerTable";
import { fmtCount } from "./format";
import type { ListView } from "@/lib/list";

export type { ListView };

/** A link or button the empty state offers as the next step (only ones the user's role may take). */
export type ListAction = { href: string; label: string };

/**
 * The one list page of the console: search and filters in the URL, server paging, sort, a CSV of
 * exactly this view, and an empty state that says why the list is empty (nothing recorded yet,
 * filters that exclude everything, or a page past the end) and what to do next.
 */
export function ListPage(props: {
  /** Table caption and the plural noun of its rows, e.g. "Incidents" / "incidents". */
  caption: string;
  noun: string;
  /** The page's own path ("/incidents"): where "clear the filters" goes. */
  basePath: string;
  view: ListView;
  columns: ServerColumn[];
  rows: ServerRow[];
  filters?: ServerFilter[];
  searchPlaceholder?: string;
  /** The list API of this view ("/api/v1/incidents"); its `format=csv` answers the CSV. */
  csvPath?: string;
  /** The empty state when nothing is recorded at all: what the list is and the next step. */
  empty: { title: string; body: ReactNode; action?: ListAction | null };
}) {
  const { caption, noun, basePath, view, columns, rows, filters, searchPlaceholder, csvPath, empty } = props;
  const csvParams = new URLSearchParams(view.params);
  csvParams.delete("pageSize");
  csvParams.set("format", "csv");
  const pages = Math.max(1, Math.ceil(view.total / view.pageSize));
  return (
    <>
      {view.invalid.length > 0 && (
        <p role="alert" className="mb-3 text-sm text-red-600">
          Some filters were not valid and were ignored: {view.invalid.join(", ")}.
        </p>
      )}
      <ServerTable
        caption={caption}
        columns={columns}
        rows={rows}
        total={view.total}
        totalCapped={view.totalCapped}
        page={view.page}
        pageSize={view.pageSize}
        filters={filters}
        searchPlaceholder={searchPlaceholder}
        csvHref={csvPath ? `${csvPath}?${csvParams}` : undefined}
        empty={
          <div data-testid="list-empty">
            {view.total > 0 && view.page > 1 ? (
              <EmptyState title={`No ${noun} on page ${fmtCount(view.page)}`}>
                This view has {fmtCount(view.total)} {noun} on {fmtCount(pages)} {pages === 1 ? "page" : "pages"}.{" "}
                <Link className="text-brand-600 hover:underline" href={`${basePath}?${new URLSearchParams([...view.params, ["page", String(pages)]])}`}>
                  Go to the last page
                </Link>
                .
              </EmptyState>
            ) : view.filtered ? (
              <EmptyState title={`No ${noun} match`}>
                Nothing matches this search and these filters.{" "}
                <Link className="text-brand-600 hover:underline" href={basePath}>
                  Clear the filters
                </Link>{" "}
                to see all {noun}.
              </EmptyState>
            ) : (
              <EmptyState title={empty.title}>
                {empty.body}
                {empty.action && (
                  <p className="mt-3">
                    <Link href={empty.action.href} className="inline-flex items-center rounded-md bg-brand-600 px-3 py-2 text-sm font-medium text-white hover:bg-brand-700">
                      {empty.action.label}
                    </Link>
                  </p>
                )}
              </EmptyState>
            )}
          </div>
        }
      />
    </>
  );
}
