"use client";
import { createContext, useCallback, useContext, useEffect, useRef, useState, type ReactNode } from "react";
import { Badge } from "@/components/ui/Badge";
import { DecisionCell } from "@/components/tool-calls/Decision";
import { CallTime } from "@/components/tool-calls/CallTime";
import { JsonView } from "@/components/ui/JsonView";
import { WhoAsked, requesterParts, type WhoAskedFields } from "@/components/tool-calls/WhoAsked";

type CallRef = { id: string; at: string };

/** The requester's fields as the gateway reported them (channel, account, sender, owner flag, roles). */
function requesterRows(c: WhoAskedFields): [string, ReactNode][] {
  const r = requesterParts(c.requester);
  if (!r.channel && !r.senderId) return [];
  return [
    [
      "Requester",
      <code key="req" className="break-all">
        {r.channel ?? "?"} / {r.accountId || "-"} / {r.senderId ?? "?"}
      </code>,
    ],
    ...(r.senderIsOwner !== undefined ? [["Sender is owner", r.senderIsOwner ? "yes" : "no"] as [string, ReactNode]] : []),
    ...(r.roleIds?.length ? [["Sender roles", r.roleIds.join(", ")] as [string, ReactNode]] : []),
  ];
}

/** The shape of GET /api/v1/tool-calls/{id} (params/result only present for permitted roles). */
type CallDetail = {
  id: string;
  occurredAt: string;
  ingestedAt: string;
  gatewayId: string;
  gatewayName: string | null;
  eventId: string;
  agentId: string | null;
  agentName: string;
  sessionKey: string | null;
  toolName: string;
  toolVersion: string | null;
  toolHash: string | null;
  decision: "allowed" | "blocked" | "not_run";
  policyDecision?: "allowed" | "blocked" | "not_run" | null;
  blockReason: string | null;
  durationMs: number | null;
  error: string | null;
  egressHosts: string[];
  tokensIn: number | null;
  tokensOut: number | null;
  costUsd: string | null;
  params?: unknown;
  result?: unknown;
  chainAgents?: { externalId: string; agentId: string | null; name: string | null }[];
} & WhoAskedFields;
/** A person's approval of the call (GET /api/v1/tool-calls/{id} `approvals`). */
type CallApproval = {
  id: string;
  status: string;
  decision: string | null;
  createdAt: string;
  decidedAt: string | null;
  decidedBy: string | null;
  decisionReason: string | null;
  grantUntil: string | null;
  reason: string;
  outcome: string | null;
  waitedMs: number | null;
};
/** A model call of the same run (GET /api/v1/tool-calls/{id} `modelUsage`). */
type RunModelCall = {
  eventId: string;
  occurredAt: string;
  provider: string;
  model: string;
  tokensIn: number;
  tokensOut: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  fallback: boolean;
  primaryModel: string | null;
  costUsd: string | null;
  costSource: "gateway" | "price_table" | "unpriced";
};
type Loaded =
  { state: "loading" } | { state: "error"; message: string } | { state: "ok"; call: CallDetail; paramsVisible: boolean; approvals: CallApproval[]; runId: string | null; modelUsage: RunModelCall[] };

const COST_SOURCE: Record<RunModelCall["costSource"], string> = { gateway: "priced by the gateway", price_table: "priced from Warden's table", unpriced: "unpriced" };

function approvalText(a: CallApproval): string {
  const waited = a.waitedMs != null ? `; the agent waited ${(a.waitedMs / 1000).toFixed(1)} s` : "";
  if (a.status === "pending") return `waiting for a person since ${fmtInstant(a.createdAt)} (${a.reason})`;
  if (a.status === "expired") return `nobody decided in time: denied${waited}`;
  const what = a.status === "allowed" ? (a.grantUntil ? `allowed for this agent and tool until ${fmtInstant(a.grantUntil)}` : "allowed once") : "denied";
  return `${what} by ${a.decidedBy ?? "?"} at ${a.decidedAt ? fmtInstant(a.decidedAt) : "?"}: ${a.decisionReason ?? ""}${waited}${a.outcome ? ` (${a.outcome.replace("_", " ")})` : ""}`;
}

const OpenContext = createContext<(call: CallRef, opener: HTMLElement | null) => void>(() => {});

const INTERACTIVE = "a, button, input, select, textarea, summary, label";
const FOCUSABLE = 'a[href], button:not([disabled]), input, select, textarea, pre[tabindex], [tabindex]:not([tabindex="-1"])';

/**
 * Wraps the calls table: a click anywhere on a row (outside links and buttons) opens that row's
 * call, and the drawer is rendered once here. Keyboard users use the row's OpenCallButton.
 */
export function CallDrawerProvider({ children }: { children: ReactNode }) {
  const [open, setOpen] = useState<CallRef | null>(null);
  const opener = useRef<HTMLElement | null>(null);
  const onOpen = useCallback((call: CallRef, el: HTMLElement | null) => {
    opener.current = el;
    setOpen(call);
  }, []);
  const onClose = useCallback(() => {
    setOpen(null);
    opener.current?.focus();
  }, []);

  function onRowClick(e: React.MouseEvent<HTMLDivElement>) {
    const target = e.target as HTMLElement;
    if (target.closest(INTERACTIVE) || window.getSelection()?.toString()) return;
    target.closest("tbody tr")?.querySelector<HTMLButtonElement>("button[data-call-open]")?.click();
  }

  return (
    <OpenContext.Provider value={onOpen}>
      {/* Mouse convenience only: each row also holds a real button for keyboards and screen readers. */}
      <div onClick={onRowClick} className="[&_tbody_tr]:cursor-pointer">
        {children}
      </div>
      {open && <CallDrawer key={`${open.id}@${open.at}`} call={open} onClose={onClose} />}
    </OpenContext.Provider>
  );
}

/** The keyboard-reachable control in each row that opens the call's details. */
export function OpenCallButton({ id, at, label, description }: CallRef & { label: ReactNode; description: string }) {
  const open = useContext(OpenContext);
  return (
    <button
      type="button"
      data-call-open
      aria-haspopup="dialog"
      aria-label={description}
      onClick={(e) => open({ id, at }, e.currentTarget)}
      className="whitespace-nowrap rounded text-left text-xs text-brand-600 hover:underline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand-600 dark:text-brand-100"
    >
      {label}
    </button>
  );
}

function fmtInstant(iso: string) {
  return iso.replace("T", " ").slice(0, 23) + " UTC";
}

function Json({ value, label }: { value: unknown; label: string }) {
  if (value === null || value === undefined) return <p className="text-sm text-slate-500 dark:text-slate-400">None recorded.</p>;
  return <JsonView value={value} label={label} />;
}

function CallDrawer({ call, onClose }: { call: CallRef; onClose: () => void }) {
  const [loaded, setLoaded] = useState<Loaded>({ state: "loading" });
  const panel = useRef<HTMLDivElement>(null);
  const closeButton = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    const ctrl = new AbortController();
    fetch(`/api/v1/tool-calls/${encodeURIComponent(call.id)}?at=${encodeURIComponent(call.at)}`, { signal: ctrl.signal, headers: { accept: "application/json" } })
      .then(async (res) => {
        const body = await res.json().catch(() => null);
        if (!res.ok || !body?.data) setLoaded({ state: "error", message: body?.error?.message ?? `The call could not be loaded (HTTP ${res.status}).` });
        else
          setLoaded({
            state: "ok",
            call: body.data as CallDetail,
            paramsVisible: body.paramsVisible === true,
            approvals: Array.isArray(body.approvals) ? (body.approvals as CallApproval[]) : [],
            runId: typeof body.runId === "string" ? body.runId : null,
            modelUsage: Array.isArray(body.modelUsage) ? (body.modelUsage as RunModelCall[]) : [],
          });
      })
      .catch((err: unknown) => {
        if ((err as Error).name !== "AbortError") setLoaded({ state: "error", message: "The call could not be loaded (network error)." });
      });
    return () => ctrl.abort();
  }, [call.id, call.at]);

  // Move focus into the dialog, close on Escape, and keep the page behind from scrolling.
  useEffect(() => {
    closeButton.current?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") {
        e.preventDefault();
        onClose();
      }
    };
    document.addEventListener("keydown", onKey);
    const overflow = document.body.style.overflow;
    document.body.style.overflow = "hidden";
    return () => {
      document.removeEventListener("keydown", onKey);
      document.body.style.overflow = overflow;
    };
  }, [onClose]);

  // Keep Tab inside the dialog (aria-modal alone does not stop focus from leaving).
  function onKeyDown(e: React.KeyboardEvent<HTMLDivElement>) {
    if (e.key !== "Tab" || !panel.current) return;
    const items = [...panel.current.querySelectorAll<HTMLElement>(FOCUSABLE)];
    if (!items.length) return;
    const first = items[0];
    const last = items[items.length - 1];
    if (e.shiftKey && document.activeElement === first) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault();
      first.focus();
    }
  }

  const c = loaded.state === "ok" ? loaded.call : null;
  const rows: [string, ReactNode][] = c
    ? [
        ["When", <CallTime key="w" at={c.occurredAt} />],
        [
          "Agent",
          c.agentId ? (
            <a className="text-brand-600 hover:underline dark:text-brand-100" href={`/agents/${c.agentId}`}>
              {c.agentName}
            </a>
          ) : (
            <span>
              {c.agentName} <Badge>not in registry</Badge>
            </span>
          ),
        ],
        ["Who asked", <WhoAsked key="who" call={{ ...c, chain: [] }} />],
        ...requesterRows(c),
        [
          "Chain",
          c.chain.length ? (
            <ol key="chain" aria-label="Delegation chain" className="flex flex-wrap items-center gap-1">
              {(c.chainAgents?.length ? c.chainAgents : c.chain.map((x) => ({ externalId: x, agentId: null, name: null }))).map((a, i) => (
                <li key={`${i}-${a.externalId}`} className="flex items-center gap-1">
                  {i > 0 && <span aria-hidden>→</span>}
                  {a.agentId ? (
                    <a className="text-brand-600 hover:underline dark:text-brand-100" href={`/agents/${a.agentId}`}>
                      {a.name ?? a.externalId}
                    </a>
                  ) : (
                    <code>{a.externalId}</code>
                  )}
                </li>
              ))}
            </ol>
          ) : (
            "direct (no delegation)"
          ),
        ],
        ["Tool", <code key="t">{c.toolName}</code>],
        ["Version", c.toolVersion ?? "—"],
        [
          "Content hash",
          c.toolHash ? (
            <code key="h" className="break-all">
              {c.toolHash}
            </code>
          ) : (
            "—"
          ),
        ],
        ["Decision", <DecisionCell key="d" decision={c.decision} policyDecision={c.policyDecision ?? null} blockReason={c.blockReason} />],
        ...(loaded.state === "ok" && loaded.approvals.length
          ? loaded.approvals.map((a, i): [string, ReactNode] => [
              i ? `Approval ${i + 1}` : "Approval",
              <a key={a.id} className="text-brand-600 hover:underline dark:text-brand-100" href={`/approvals/${a.id}`}>
                {approvalText(a)}
              </a>,
            ])
          : []),
        ["Duration", c.durationMs != null ? `${c.durationMs} ms` : "—"],
        ["Error", c.error ?? "—"],
        ["Egress hosts", c.egressHosts.length ? c.egressHosts.join(", ") : "none"],
        ["Tokens in / out", c.tokensIn != null || c.tokensOut != null ? `${c.tokensIn ?? "—"} / ${c.tokensOut ?? "—"}` : "—"],
        ["Cost", c.costUsd != null ? `$${c.costUsd}` : "—"],
        ["Gateway", c.gatewayName ?? c.gatewayId],
        [
          "Session",
          c.sessionKey ? (
            <code key="s" className="break-all">
              {c.sessionKey}
            </code>
          ) : (
            "—"
          ),
        ],
        [
          "Event id",
          <code key="e" className="break-all">
            {c.eventId}
          </code>,
        ],
        ["Ingested", <CallTime key="i" at={c.ingestedAt} />],
      ]
    : [];

  return (
    <div className="fixed inset-0 z-50">
      <div aria-hidden className="absolute inset-0 bg-slate-950/50" onClick={onClose} />
      <div
        ref={panel}
        role="dialog"
        aria-modal="true"
        aria-labelledby="call-drawer-title"
        aria-busy={loaded.state === "loading"}
        onKeyDown={onKeyDown}
        className="absolute inset-y-0 right-0 flex w-full max-w-xl flex-col overflow-y-auto border-l border-slate-200 bg-white shadow-xl dark:border-slate-800 dark:bg-slate-900"
      >
        <div className="flex items-start justify-between gap-4 border-b border-slate-200 p-5 dark:border-slate-800">
          <div>
            <h2 id="call-drawer-title" className="text-lg font-semibold">
              Tool call {c ? <code>{c.toolName}</code> : null}
            </h2>
            <p className="text-xs text-slate-500 dark:text-slate-400">
              #{call.id} · <CallTime at={call.at} />
            </p>
          </div>
          <button
            ref={closeButton}
            type="button"
            onClick={onClose}
            aria-label="Close details"
            className="rounded-md px-3 py-2 text-sm text-slate-700 hover:bg-slate-100 dark:text-slate-200 dark:hover:bg-slate-800"
          >
            <span aria-hidden>✕</span>
          </button>
        </div>
        <div className="space-y-6 p-5">
          {loaded.state === "loading" && (
            <p role="status" className="text-sm text-slate-500 dark:text-slate-400">
              Loading…
            </p>
          )}
          {loaded.state === "error" && (
            <p role="alert" className="text-sm text-red-700 dark:text-red-300">
              {loaded.message}
            </p>
          )}
          {c && (
            <>
              <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-2 text-sm">
                {rows.map(([k, v]) => (
                  <div key={k} className="contents">
                    <dt className="text-slate-500 dark:text-slate-400">{k}</dt>
                    <dd className="min-w-0 break-words">{v}</dd>
                  </div>
                ))}
              </dl>
              {loaded.state === "ok" && loaded.runId && (
                <section aria-labelledby="call-model-usage" className="space-y-2">
                  <h3 id="call-model-usage" className="text-sm font-semibold">
                    Model usage of this run
                  </h3>
                  {loaded.modelUsage.length ? (
                    <table className="w-full text-left text-xs">
                      <caption className="sr-only">Model calls of run {loaded.runId}</caption>
                      <thead>
                        <tr className="border-b border-slate-200 dark:border-slate-800">
                          <th className="py-1">Model</th>
                          <th>Tokens in / out / cache</th>
                          <th>Cost</th>
                        </tr>
                      </thead>
                      <tbody>
                        {loaded.modelUsage.map((m) => (
                          <tr key={m.eventId} className="border-b border-slate-100 dark:border-slate-800">
                            <td className="py-1">
                              <code>
                                {m.provider}/{m.model}
                              </code>
                              {m.fallback && (
                                <>
                                  {" "}
                                  <Badge tone="amber">fallback{m.primaryModel ? ` from ${m.primaryModel}` : ""}</Badge>
                                </>
                              )}
                            </td>
                            <td className="tabular-nums">
                              {m.tokensIn} / {m.tokensOut} / {m.cacheReadTokens + m.cacheWriteTokens}
                            </td>
                            <td className="tabular-nums">
                              {m.costUsd != null ? `$${m.costUsd}` : <Badge tone="amber">unpriced</Badge>} <span className="text-slate-500 dark:text-slate-400">({COST_SOURCE[m.costSource]})</span>
                            </td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  ) : (
                    <p className="text-sm text-slate-500 dark:text-slate-400">
                      The gateway reported no model calls for run <code>{loaded.runId}</code>.
                    </p>
                  )}
                </section>
              )}
              <section aria-labelledby="call-params" className="space-y-3">
                <h3 id="call-params" className="text-sm font-semibold">
                  Parameters and result
                </h3>
                {loaded.state === "ok" && loaded.paramsVisible ? (
                  <>
                    <p className="text-xs text-slate-500 dark:text-slate-400">Credential-shaped strings (API keys, tokens, passwords in URLs, private keys) are redacted before storage.</p>
                    <div>
                      <h4 className="mb-1 text-xs font-medium uppercase tracking-wide text-slate-500 dark:text-slate-400">Parameters</h4>
                      <Json value={c.params} label="Parameters (JSON)" />
                    </div>
                    <div>
                      <h4 className="mb-1 text-xs font-medium uppercase tracking-wide text-slate-500 dark:text-slate-400">Result</h4>
                      <Json value={c.result} label="Result (JSON)" />
                    </div>
                  </>
                ) : (
                  <p className="rounded-md border border-dashed border-slate-300 p-3 text-sm text-slate-600 dark:border-slate-700 dark:text-slate-400">Parameters are hidden for your role.</p>
                )}
              </section>
            </>
          )}
        </div>
      </div>
    </div>
  );
}
