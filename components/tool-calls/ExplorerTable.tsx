"use client";
import Link from "next/link";
import { useCallback, useEffect, useRef, useState, type ReactNode } from "react";
import { Badge } from "@/components/ui/Badge";
import { fmtCount, fmtUtc } from "@/components/ui/format";
import { CallDrawerProvider, OpenCallButton } from "@/components/tool-calls/CallDrawer";
import { DecisionCell, type CallDecision } from "@/components/tool-calls/Decision";
import { CallTime, useTimeZone } from "@/components/tool-calls/CallTime";
import { WhoAsked, type WhoAskedFields } from "@/components/tool-calls/WhoAsked";

/** One row of the explorer, as the page and GET /api/v1/tool-calls/tail send it (metadata only). */
export type ExplorerRow = {
  id: string;
  occurredAt: string;
  ingestedAt: string;
  agentId: string | null;
  agentName: string;
  toolName: string;
  toolVersion: string | null;
  decision: CallDecision;
  policyDecision: CallDecision | null;
  blockReason: string | null;
  durationMs: number | null;
  egressHosts: string[];
} & WhoAskedFields;

/** Whether the live tail runs for this view, and what it polls. */
export type LiveTail = { on: true; query: string; since: string } | { on: false; reason: string; liveHref: string };

/** Poll interval of the live tail. */
export const TAIL_POLL_MS = 2_000;
/** Rows the table keeps in the browser; past it the oldest go (the server keeps everything). */
export const MAX_ROWS = 500;
/** Calls held back while paused; past it only the count grows and resuming reloads the page. */
const MAX_PENDING = 500;
/** How long a new row stays highlighted. */
const HIGHLIGHT_MS = 6_000;
/** The tail re-reads this much before its cursor (lib/tool-calls/queries.ts TAIL_OVERLAP_MS): ids seen earlier can be forgotten. */
const FORGET_AFTER_MS = 60_000;

/** Newest first by time, then by id (both as the server orders the list). */
function newestFirst(a: ExplorerRow, b: ExplorerRow): number {
  if (a.occurredAt !== b.occurredAt) return a.occurredAt < b.occurredAt ? 1 : -1;
  if (a.id.length !== b.id.length) return b.id.length - a.id.length;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/** Is the key press meant for a field (typing), or held with a modifier? Then it is not ours. */
function typing(e: KeyboardEvent): boolean {
  const t = e.target as HTMLElement | null;
  if (e.ctrlKey || e.metaKey || e.altKey) return true;
  if (!t) return false;
  return t.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(t.tagName) || Boolean(t.closest("[contenteditable=true]"));
}

/**
 * The explorer's calls table: rows rendered in the browser so the live tail can add to them, the
 * user's time zone with relative times, and keyboard navigation (j/k or ↑/↓, Enter, Esc, /, ?).
 * Paging, sorting and filters stay in the URL (server-rendered); the tail only runs on the first
 * page of a view sorted newest first over a moving range ("the last 24 hours").
 */
export function ExplorerTable(props: {
  caption: string;
  rows: ExplorerRow[];
  total: number;
  page: number;
  pageSize: number;
  dir: "asc" | "desc";
  sortHref: string;
  csvHref: string;
  live: LiveTail;
  empty: ReactNode;
  prevHref: string | null;
  nextHref: string | null;
}) {
  const { caption, total, page, pageSize, dir, sortHref, csvHref, live, empty, prevHref, nextHref } = props;
  const zone = useTimeZone();
  const [rows, setRows] = useState(props.rows);
  const [added, setAdded] = useState(0);
  const [paused, setPaused] = useState(false);
  const [pending, setPending] = useState<{ rows: ExplorerRow[]; count: number }>({ rows: [], count: 0 });
  const [fresh, setFresh] = useState<ReadonlySet<string>>(new Set());
  const [tailState, setTailState] = useState<"ok" | "retrying" | "signed_out">("ok");
  const [more, setMore] = useState(false);
  const [help, setHelp] = useState(false);
  const pausedRef = useRef(paused);
  const table = useRef<HTMLTableSectionElement>(null);
  // Ids already shown or held, with when they were stored: a poll's overlap repeats them.
  const seen = useRef(new Map(props.rows.map((r) => [r.id, Date.parse(r.ingestedAt)])));

  useEffect(() => {
    pausedRef.current = paused;
  }, [paused]);

  const show = useCallback((incoming: ExplorerRow[]) => {
    if (!incoming.length) return;
    setRows((current) => [...incoming, ...current].sort(newestFirst).slice(0, MAX_ROWS));
    setAdded((n) => n + incoming.length);
    const ids = incoming.map((r) => r.id);
    setFresh((s) => new Set([...s, ...ids]));
    setTimeout(() => setFresh((s) => new Set([...s].filter((id) => !ids.includes(id)))), HIGHLIGHT_MS);
  }, []);

  // The tail: poll with a cursor (any replica can answer), drop what is already held, show or hold back.
  useEffect(() => {
    if (!live.on) return;
    let cursor = live.since;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | null = null;
    let ctrl: AbortController | null = null;
    let delay = TAIL_POLL_MS;
    const schedule = () => {
      if (!stopped) timer = setTimeout(poll, delay);
    };
    async function poll() {
      if (document.visibilityState === "hidden") return schedule();
      ctrl = new AbortController();
      try {
        const res = await fetch(`/api/v1/tool-calls/tail?${live.on ? live.query : ""}${live.on && live.query ? "&" : ""}since=${encodeURIComponent(cursor)}`, {
          headers: { accept: "application/json" },
          signal: ctrl.signal,
          cache: "no-store",
        });
        if (res.status === 401) {
          setTailState("signed_out");
          return;
        }
        if (!res.ok) throw new Error(String(res.status));
        const body = (await res.json()) as { data: ExplorerRow[]; cursor: string; more: boolean };
        cursor = body.cursor;
        const forgetBefore = Date.parse(cursor) - FORGET_AFTER_MS;
        for (const [id, at] of seen.current) if (at < forgetBefore) seen.current.delete(id);
        const incoming = body.data.filter((r) => !seen.current.has(r.id));
        for (const r of incoming) seen.current.set(r.id, Date.parse(r.ingestedAt));
        setMore((m) => m || body.more);
        if (pausedRef.current) setPending((p) => ({ rows: [...incoming, ...p.rows].slice(0, MAX_PENDING), count: p.count + incoming.length }));
        else show(incoming);
        setTailState("ok");
        delay = TAIL_POLL_MS;
      } catch (err) {
        if ((err as Error).name === "AbortError") return;
        setTailState("retrying");
        delay = Math.min(delay * 2, 30_000);
      }
      schedule();
    }
    schedule();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      ctrl?.abort();
    };
  }, [live, show]);

  function onPause() {
    setPaused(true);
  }
  function onResume() {
    setPaused(false);
    // More held back than kept: the page itself is the truth, reload it.
    if (pending.count > pending.rows.length) {
      window.location.reload();
      return;
    }
    show(pending.rows);
    setPending({ rows: [], count: 0 });
  }

  // Keyboard: j/k or ↑/↓ move focus through the rows, Enter opens (the row's button), / searches, ? helps.
  useEffect(() => {
    function onKey(e: KeyboardEvent) {
      if (e.defaultPrevented || typing(e)) return;
      if (help) {
        if (e.key === "Escape" || e.key === "?") {
          e.preventDefault();
          setHelp(false);
        }
        return;
      }
      if (document.querySelector('[role="dialog"][aria-modal="true"]')) return;
      const buttons = [...(table.current?.querySelectorAll<HTMLButtonElement>("button[data-call-open]") ?? [])];
      const at = buttons.findIndex((b) => b === document.activeElement);
      const inTable = at >= 0;
      const move = (step: number) => {
        if (!buttons.length) return;
        e.preventDefault();
        const next = at < 0 ? (step > 0 ? 0 : buttons.length - 1) : Math.min(buttons.length - 1, Math.max(0, at + step));
        buttons[next].focus();
        buttons[next].closest("tr")?.scrollIntoView({ block: "nearest" });
      };
      if (e.key === "j" || (e.key === "ArrowDown" && inTable)) move(1);
      else if (e.key === "k" || (e.key === "ArrowUp" && inTable)) move(-1);
      else if (e.key === "/") {
        const search = document.querySelector<HTMLInputElement>('form[aria-label="Filter tool calls"] input[name="q"]');
        if (search) {
          e.preventDefault();
          search.focus();
          search.select();
        }
      } else if (e.key === "?") {
        e.preventDefault();
        setHelp(true);
      }
    }
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [help]);

  const shownTotal = total + added;
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const link = "text-brand-600 hover:underline dark:text-brand-100";

  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-center gap-x-4 gap-y-2 text-sm">
        <LiveStatus live={live} paused={paused} pendingCount={pending.count} state={tailState} more={more} onPause={onPause} onResume={onResume} />
        <span className="text-slate-600 dark:text-slate-400" data-time-zone={zone ?? "UTC"}>
          Times in {zone ?? "UTC"} · exact UTC on hover
        </span>
        <span className="ml-auto flex items-center gap-3">
          <button type="button" onClick={() => setHelp(true)} className={link} aria-haspopup="dialog">
            Keyboard shortcuts <kbd className="rounded border border-slate-300 px-1 text-xs dark:border-slate-700">?</kbd>
          </button>
          <span className="text-slate-600 dark:text-slate-400">
            {fmtCount(shownTotal)} {shownTotal === 1 ? "row" : "rows"}
          </span>
          <a className={link} href={csvHref} download>
            Download CSV
          </a>
        </span>
      </div>
      {rows.length === 0 ? (
        empty
      ) : (
        <CallDrawerProvider>
          <div className="overflow-x-auto rounded-xl border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
            <table className="min-w-full divide-y divide-slate-200 text-sm dark:divide-slate-800">
              <caption className="sr-only">{caption}</caption>
              <thead className="bg-slate-50 text-left text-slate-600 dark:bg-slate-900/60 dark:text-slate-300">
                <tr>
                  <th scope="col" aria-sort={dir === "asc" ? "ascending" : "descending"} className="px-3 py-2 font-medium">
                    <Link href={sortHref} className="inline-flex items-center gap-1 hover:underline">
                      Time
                      <span aria-hidden>{dir === "asc" ? "▲" : "▼"}</span>
                    </Link>
                  </th>
                  {["Who asked", "Agent", "Tool", "Version", "Decision"].map((h) => (
                    <th key={h} scope="col" className="px-3 py-2 font-medium">
                      {h}
                    </th>
                  ))}
                  <th scope="col" className="px-3 py-2 text-right font-medium">
                    Duration
                  </th>
                  <th scope="col" className="px-3 py-2 font-medium">
                    Egress hosts
                  </th>
                </tr>
              </thead>
              <tbody ref={table} className="divide-y divide-slate-100 dark:divide-slate-800">
                {rows.map((c) => (
                  <tr
                    key={c.id}
                    data-call-row={c.id}
                    data-new={fresh.has(c.id) ? "" : undefined}
                    className={`transition-colors duration-1000 hover:bg-slate-50 focus-within:bg-brand-50 focus-within:outline-2 focus-within:-outline-offset-2 focus-within:outline-brand-600 dark:hover:bg-slate-800/50 dark:focus-within:bg-slate-800 ${fresh.has(c.id) ? "bg-amber-50 dark:bg-amber-950/40" : ""}`}
                  >
                    <td className="px-3 py-2 align-top">
                      <OpenCallButton
                        id={c.id}
                        at={c.occurredAt}
                        label={<CallTime at={c.occurredAt} stacked />}
                        description={`Details of ${c.toolName} by ${c.agentName} at ${fmtUtc(c.occurredAt)}`}
                      />
                      {fresh.has(c.id) && <span className="sr-only"> (new)</span>}
                    </td>
                    <td className="px-3 py-2 align-top">
                      <WhoAsked call={c} linkClass={link} />
                    </td>
                    <td className="px-3 py-2 align-top">
                      {c.agentId ? (
                        <Link href={`/agents/${c.agentId}`} className={link}>
                          {c.agentName}
                        </Link>
                      ) : (
                        c.agentName
                      )}
                    </td>
                    <td className="px-3 py-2 align-top">
                      <code>{c.toolName}</code>
                    </td>
                    <td className="px-3 py-2 align-top">{c.toolVersion ?? "—"}</td>
                    <td className="px-3 py-2 align-top">
                      <DecisionCell decision={c.decision} policyDecision={c.policyDecision} blockReason={c.blockReason} small />
                    </td>
                    <td className="px-3 py-2 text-right align-top tabular-nums whitespace-nowrap">{c.durationMs != null ? `${fmtCount(c.durationMs)} ms` : "—"}</td>
                    <td className="px-3 py-2 align-top">
                      {c.egressHosts.length ? (
                        <span className="flex flex-wrap gap-1">
                          {c.egressHosts.map((h) => (
                            <code key={h} className="text-xs">
                              {h}
                            </code>
                          ))}
                        </span>
                      ) : (
                        <span className="text-slate-500 dark:text-slate-400">none</span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </CallDrawerProvider>
      )}
      <nav aria-label="Pagination" className="flex items-center justify-between text-sm">
        <span>
          Page {page} of {pages}
          {rows.length >= MAX_ROWS && live.on ? (
            <span className="ml-2 text-slate-500 dark:text-slate-400">(the newest {MAX_ROWS} are kept here; older ones are on the next pages after a reload)</span>
          ) : null}
        </span>
        <span className="flex gap-3">
          {prevHref && (
            <Link className={link} href={prevHref}>
              ← Previous
            </Link>
          )}
          {nextHref && (
            <Link className={link} href={nextHref}>
              Next →
            </Link>
          )}
        </span>
      </nav>
      {help && <ShortcutsDialog onClose={() => setHelp(false)} />}
    </div>
  );
}

function LiveStatus({
  live,
  paused,
  pendingCount,
  state,
  more,
  onPause,
  onResume,
}: {
  live: LiveTail;
  paused: boolean;
  pendingCount: number;
  state: "ok" | "retrying" | "signed_out";
  more: boolean;
  onPause: () => void;
  onResume: () => void;
}) {
  const btn = "rounded-md border border-slate-300 px-2.5 py-1 text-sm hover:bg-slate-50 dark:border-slate-700 dark:hover:bg-slate-800";
  if (!live.on) {
    return (
      <span data-live="off" className="text-slate-600 dark:text-slate-400">
        Live tail off: {live.reason}.{" "}
        <Link href={live.liveHref} className="text-brand-600 hover:underline dark:text-brand-100">
          Show the newest calls live
        </Link>
      </span>
    );
  }
  if (state === "signed_out")
    return (
      <span role="alert" data-live="off" className="text-red-700 dark:text-red-300">
        Live tail stopped: your session ended. Sign in again to resume.
      </span>
    );
  return (
    <span className="flex items-center gap-2" data-live={paused ? "paused" : "on"}>
      {paused ? (
        <>
          <Badge tone="amber">Paused</Badge>
          <span aria-live="polite" data-pending={pendingCount}>
            {pendingCount === 0 ? "No new calls yet" : `${fmtCount(pendingCount)} new ${pendingCount === 1 ? "call" : "calls"}`}
          </span>
          <button type="button" className={btn} onClick={onResume}>
            Resume
          </button>
        </>
      ) : (
        <>
          <span className="inline-flex items-center gap-1.5">
            <span aria-hidden className={`h-2 w-2 rounded-full ${state === "ok" ? "animate-pulse bg-emerald-500" : "bg-amber-500"}`} />
            <span>{state === "ok" ? "Live" : "Live tail reconnecting…"}</span>
          </span>
          <button type="button" className={btn} onClick={onPause}>
            Pause
          </button>
        </>
      )}
      {more && <span className="text-xs text-slate-500 dark:text-slate-400">(a burst: some calls are only in the full list; reload to see all)</span>}
    </span>
  );
}

const SHORTCUTS: [string, string][] = [
  ["j or ↓", "Next call"],
  ["k or ↑", "Previous call"],
  ["Enter", "Open the focused call"],
  ["Esc", "Close the details (or this help)"],
  ["/", "Search (the filter's text field)"],
  ["?", "Show or hide these shortcuts"],
];

function ShortcutsDialog({ onClose }: { onClose: () => void }) {
  const close = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const opener = document.activeElement as HTMLElement | null;
    close.current?.focus();
    return () => opener?.focus();
  }, []);
  return (
    <div className="fixed inset-0 z-50 flex items-center justify-center">
      <div aria-hidden className="absolute inset-0 bg-slate-950/50" onClick={onClose} />
      <div
        role="dialog"
        aria-modal="false"
        aria-labelledby="shortcuts-title"
        className="relative w-full max-w-sm rounded-xl border border-slate-200 bg-white p-5 shadow-xl dark:border-slate-800 dark:bg-slate-900"
      >
        <div className="mb-3 flex items-center justify-between">
          <h2 id="shortcuts-title" className="text-base font-semibold">
            Keyboard shortcuts
          </h2>
          <button ref={close} type="button" onClick={onClose} aria-label="Close shortcuts" className="rounded-md px-2 py-1 text-sm hover:bg-slate-100 dark:hover:bg-slate-800">
            <span aria-hidden>✕</span>
          </button>
        </div>
        <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-2 text-sm">
          {SHORTCUTS.map(([k, v]) => (
            <div key={k} className="contents">
              <dt>
                <kbd className="rounded border border-slate-300 px-1.5 py-0.5 font-mono text-xs dark:border-slate-700">{k}</kbd>
              </dt>
              <dd>{v}</dd>
            </div>
          ))}
        </dl>
        <p className="mt-3 text-xs text-slate-500 dark:text-slate-400">Shortcuts are off while you type in a field.</p>
      </div>
    </div>
  );
}
