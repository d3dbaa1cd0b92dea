import type { Metadata } from "next";
import Link from "next/link";
import { requireScope } from "@/lib/auth/session";
import { can } from "@/lib/auth/roles";
import { findingFilterChoices, listFindings, parseFindingQuery, type FindingRow } from "@/lib/findings/queries";
import { FINDING_KINDS, FINDING_KIND_LABELS, FINDING_STATUSES, SEVERITIES } from "@/lib/findings/schema";
import { ServerTable } from "@/components/ui/ServerTable";
import { Badge } from "@/components/ui/Badge";
import { EmptyState, PageHeader } from "@/components/ui/Card";
import { ReasonAction } from "@/components/ui/ReasonAction";
import { fmtDate } from "@/components/ui/format";
import { OpenIncidentButton } from "@/components/findings/OpenIncidentButton";
import { dismissFinding, openIncident } from "./actions";

export const metadata: Metadata = { title: "Findings" };

const SEVERITY_TONE = { low: "gray", medium: "amber", high: "red", critical: "red" } as const;
const STATUS_TONE = { open: "amber", dismissed: "gray", incident: "blue", resolved: "green" } as const;

/** The page a reconciliation finding links to for its fix (a Warden path, or an advisory's http(s) link). */
function fixOf(f: FindingRow): { href: string; label: string } | null {
  const d = (f.detail && typeof f.detail === "object" ? f.detail : {}) as Record<string, unknown>;
  if (typeof d.fixUrl !== "string" || !(/^\/(?!\/)/.test(d.fixUrl) || /^https?:\/\//i.test(d.fixUrl))) return null;
  return { href: d.fixUrl, label: typeof d.fixLabel === "string" ? d.fixLabel : "Fix" };
}

type SP = Record<string, string | string[] | undefined>;

/** Where a finding's evidence is: the tool calls behind it (7 days), or its gateway for posture findings. */
function evidenceHref(f: FindingRow): string | null {
  if (f.agentId) {
    const p = new URLSearchParams();
    if (f.toolName) p.set("tool", f.toolName);
    p.set("agent", f.agentId);
    p.set("range", "7d");
    return `/tool-calls?${p}`;
  }
  return f.gatewayId ? `/gateways/${f.gatewayId}` : null;
}

/** The few numbers of a finding's detail worth a glance in the table. */
function summaryOf(f: FindingRow): string {
  const d = (f.detail && typeof f.detail === "object" ? f.detail : {}) as Record<string, unknown>;
  switch (f.kind) {
    case "unapproved_tool":
      return `${d.calls ?? "?"} calls, ${d.blocked ?? 0} blocked`;
    case "hash_drift":
      return `seen ${String(d.seenHash ?? "").slice(0, 12)}…, ${d.calls ?? "?"} calls`;
    case "undocumented_egress":
      return `${d.host ?? "?"}, ${d.calls ?? "?"} calls`;
    case "agent_link":
      return `to ${d.toAgentName ?? d.targetAgentId ?? "?"}, ${d.calls ?? "?"} calls, ${d.blocked ?? 0} blocked`;
    case "spike":
      return `${d.lastHour ?? "?"} calls in an hour vs ${d.baselinePerHour ?? "?"}/h`;
    case "model_policy":
      return `${d.model ?? "?"}, ${d.calls ?? "?"} model calls (${d.fallbackCalls ?? 0} as fallback)${Array.isArray(d.why) && d.why.length ? `: ${d.why.join("; ")}` : ""}`;
    default:
      return typeof d.detail === "string" ? d.detail.slice(0, 140) : "";
  }
}

export default async function FindingsPage({ searchParams }: { searchParams: Promise<SP> }) {
  const actor = await requireScope("registry:read");
  const sp = await searchParams;
  const { query, invalid } = parseFindingQuery(sp);
  const [page, choices] = await Promise.all([listFindings(query), findingFilterChoices()]);
  const canDecide = can(actor.role, "tools:decide");
  const canOpenIncident = can(actor.role, "incidents:manage");
  const filtered = Boolean(query.q || query.kind || query.status || query.severity || query.gateway || query.agent);

  return (
    <>
      <PageHeader
        title="Findings"
        description="Computed from tool-call telemetry every few minutes: calls to tools not on an agent's allowlist, builds whose hash differs from the approved one, egress to hosts with no recorded data flow, and unusual spikes of calls; plus gateway posture checks. Each links to its evidence and can be dismissed with a reason or opened as an incident."
      />
      {invalid.length > 0 && <p role="alert" className="mb-3 text-sm text-red-600">Some filters were not valid and were ignored: {invalid.join(", ")}.</p>}
      <ServerTable
        caption="Findings"
        searchPlaceholder="title, tool, agent, gateway"
        columns={[
          { id: "severity", header: "Severity", sortable: true },
          { id: "kind", header: "Kind", sortable: true },
          { id: "title", header: "Finding" },
          { id: "status", header: "Status", sortable: true },
          { id: "lastSeenAt", header: "Last seen", sortable: true },
          { id: "firstSeenAt", header: "First seen", sortable: true },
          { id: "actions", header: "Actions" },
        ]}
        filters={[
          { id: "kind", label: "Kind", options: FINDING_KINDS.map((k) => ({ value: k, label: FINDING_KIND_LABELS[k] })) },
          { id: "status", label: "Status", options: FINDING_STATUSES.map((s) => ({ value: s, label: s })) },
          { id: "severity", label: "Severity", options: SEVERITIES.map((s) => ({ value: s, label: s })) },
          { id: "gateway", label: "Gateway", options: choices.gateways.map((g) => ({ value: g.id, label: g.name })) },
          { id: "agent", label: "Agent", options: choices.agents.map((a) => ({ value: a.id, label: a.name })) },
        ]}
        total={page.total}
        page={page.page}
        pageSize={page.pageSize}
        rows={page.rows.map((f) => {
          const evidence = evidenceHref(f);
          return {
            key: f.id,
            cells: {
              severity: <Badge tone={SEVERITY_TONE[f.severity]}>{f.severity}</Badge>,
              kind: <span className="whitespace-nowrap">{FINDING_KIND_LABELS[f.kind]}</span>,
              title: (
                <div className="max-w-xl">
                  <p className="font-medium">{f.title}</p>
                  <p className="text-xs text-slate-600 dark:text-slate-400">
                    {[f.agent?.name && `agent ${f.agent.name}`, f.toolName && `tool ${f.toolName}`, f.gateway?.name && `gateway ${f.gateway.name}`].filter(Boolean).join(" · ")}
                  </p>
                  <p className="text-xs text-slate-600 dark:text-slate-400">{summaryOf(f)}</p>
                  {f.status === "dismissed" && f.dismissReason && <p className="text-xs text-slate-500">Dismissed: {f.dismissReason}</p>}
                  {f.status === "resolved" && <p className="text-xs text-slate-500">Resolved automatically: {String((f.detail as { resolvedNote?: unknown } | null)?.resolvedNote ?? "no longer applies")}</p>}
                </div>
              ),
              status: <Badge tone={STATUS_TONE[f.status]}>{f.status}</Badge>,
              lastSeenAt: <span className="whitespace-nowrap text-xs">{fmtDate(f.lastSeenAt)}</span>,
              firstSeenAt: <span className="whitespace-nowrap text-xs">{fmtDate(f.firstSeenAt)}</span>,
              actions: (
                <div className="flex flex-col gap-2">
                  {(() => {
                    const fix = fixOf(f);
                    if (!fix || f.status === "resolved") return null;
                    return fix.href.startsWith("/") ? <Link href={fix.href} className="text-sm text-brand-600 hover:underline">{fix.label}</Link> : <a href={fix.href} rel="noreferrer noopener" target="_blank" className="text-sm text-brand-600 hover:underline">{fix.label}</a>;
                  })()}
                  {evidence && <Link href={evidence} className="text-sm text-brand-600 hover:underline">Evidence</Link>}
                  {f.kind === "agent_link" && f.agentId && <Link href={`/agents/${f.agentId}#agent-links`} className="text-sm text-brand-600 hover:underline">Review pair (approve)</Link>}
                  {canDecide && f.status === "open" && <ReasonAction label="Dismiss" action={dismissFinding} payload={{ id: f.id }} confirmLabel="Confirm: dismiss finding" placeholder="Why this is not a problem (e.g. expected during the migration)" variant="secondary" />}
                  {canOpenIncident && f.status !== "incident" && <OpenIncidentButton id={f.id} label={f.title} severity={f.severity} action={openIncident} />}
                </div>
              ),
            },
          };
        })}
        empty={
          filtered ? (
            <EmptyState title="No findings match">
              Change the search or filters, or <Link className="text-brand-600 hover:underline" href="/findings">show all findings</Link>.
            </EmptyState>
          ) : (
            <EmptyState title="No findings">Nothing unusual in the tool-call telemetry so far. Findings are computed every few minutes.</EmptyState>
          )
        }
      />
    </>
  );
}
