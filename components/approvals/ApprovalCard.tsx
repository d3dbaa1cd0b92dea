"use client";
import Link from "next/link";
import { Badge } from "@/components/ui/Badge";
import { fmtDate } from "@/components/ui/format";
import { DecisionForm } from "./DecisionForm";
import { fmtLeft, type ApprovalItem, type ServerAction } from "./types";

const STATUS_TONE = { pending: "amber", allowed: "green", denied: "red", expired: "gray" } as const;

/** One held call: who, where, what (parameters, redacted), why, the agent's recent calls, time left, and the decision form. */
export function ApprovalCard({ item, nowMs, decide, onDecided }: { item: ApprovalItem; nowMs: number; decide: ServerAction | null; onDecided?: (ok: boolean, message: string) => void }) {
  const left = Date.parse(item.expiresAt) - nowMs;
  const label = `${item.toolName} by ${item.agentName}`;
  return (
    <article className="space-y-3 rounded-xl border border-slate-200 bg-white p-5 shadow-sm dark:border-slate-800 dark:bg-slate-900" aria-label={`Approval ${label}`} data-approval-id={item.id}>
      <header className="flex flex-wrap items-center justify-between gap-2">
        <h2 className="text-base font-semibold">
          <Link href={`/approvals/${item.id}`} className="hover:underline">
            <code>{item.toolName}</code>
            {item.toolVersion ? <span className="text-sm font-normal text-slate-500"> {item.toolVersion}</span> : null}
          </Link>
          <span className="font-normal"> by </span>
          {item.agentName}
          <span className="text-sm font-normal text-slate-500"> on {item.gatewayName}</span>
        </h2>
        {item.status === "pending" ? (
          <span className={`text-sm font-medium ${left < 30_000 ? "text-red-600" : "text-slate-700 dark:text-slate-300"}`} role="timer" aria-label="Time left">
            {fmtLeft(left)} left
          </span>
        ) : (
          <Badge tone={STATUS_TONE[item.status]}>{item.status}</Badge>
        )}
      </header>
      <p className="text-sm" aria-label="Who asked">
        <span className="font-medium">Who asked: </span>
        {item.requester ?? <span className="text-slate-500">no provable requester</span>}
        {item.chain && item.chain.length > 1 ? <span className="text-slate-500"> · through {item.chain.join(" → ")}</span> : null}
        {item.tier === "subagent" ? <span className="text-slate-500"> (sub-agent)</span> : null}
      </p>
      <p className="text-sm">
        <span className="font-medium">Why: </span>
        {item.reason} <span className="text-slate-500">(rule: {item.ruleText})</span>
      </p>
      <div>
        <p className="mb-1 text-sm font-medium">
          Parameters <span className="font-normal text-slate-500">(exactly what will run; secrets redacted)</span>
        </p>
        <pre className="max-h-64 overflow-auto rounded-md bg-slate-50 p-3 text-xs dark:bg-slate-950" aria-label="Parameters">
          {JSON.stringify(item.params, null, 2)}
        </pre>
      </div>
      {item.recentCalls && (
        <div className="text-sm">
          <p className="mb-1 font-medium">The agent&apos;s recent calls</p>
          {item.recentCalls.length === 0 ? (
            <p className="text-slate-500">None in the last day.</p>
          ) : (
            <ul className="space-y-0.5" aria-label="Recent calls">
              {item.recentCalls.map((c) => (
                <li key={c.id} className="flex gap-2">
                  <span className="text-slate-500">{fmtDate(c.occurredAt)}</span>
                  <code>{c.toolName}</code>
                  <Badge tone={c.decision === "allowed" ? "green" : "red"}>{c.decision}</Badge>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      <p className="text-xs text-slate-500">
        Requested {fmtDate(item.createdAt)} · tool call <code>{item.toolCallId}</code>
        {item.sessionKey ? (
          <>
            {" "}
            · session <code>{item.sessionKey}</code>
          </>
        ) : null}
      </p>
      {item.status !== "pending" && (
        <p className="text-sm">
          {item.decidedBy ? (
            <>
              {item.status === "allowed" ? "Allowed" : "Denied"} by <strong>{item.decidedBy}</strong> at {fmtDate(item.decidedAt)}
              {item.grantUntil ? <> (this agent may use this tool until {fmtDate(item.grantUntil)})</> : null}: {item.decisionReason}
            </>
          ) : (
            <>Nobody decided before {fmtDate(item.expiresAt)}: the gateway denied the call.</>
          )}
          {item.delivery && (
            <>
              {" "}
              · delivered {item.delivery.ackedAt ? `and acknowledged ${fmtDate(item.delivery.ackedAt)}` : item.delivery.deliveredAt ? fmtDate(item.delivery.deliveredAt) : "(waiting for the gateway)"}
            </>
          )}
          {item.outcome && (
            <>
              {" "}
              · at the gateway: <strong>{item.outcome.replace("_", " ")}</strong>
              {item.waitedMs !== null ? `, the agent waited ${(item.waitedMs / 1000).toFixed(1)} s` : ""}
            </>
          )}
        </p>
      )}
      {item.status === "pending" && decide && left > 0 && <DecisionForm id={item.id} label={label} action={decide} onDone={(ok, msg) => onDecided?.(ok, msg)} />}
    </article>
  );
}
