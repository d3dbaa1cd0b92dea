import Link from "next/link";
import { FINDING_KINDS, FINDING_KIND_LABELS, FINDING_STATUSES, SEVERITIES } from "@/lib/findings/schema";
import type { ListView } from "@/lib/list";
import type { ServerAction } from "@/components/admin/types";
import { ListPage } from "@/components/ui/ListPage";
import { Badge } from "@/components/ui/Badge";
import { PageHeader } from "@/components/ui/Card";
import { ReasonAction } from "@/components/ui/ReasonAction";
import { RelativeTime } from "@/components/ui/RelativeTime";
import { OpenIncidentButton } from "./OpenIncidentButton";
import { evidenceHref, fixOf, summaryOf, type FindingListRow } from "./summary";

const SEVERITY_TONE = { low: "gray", medium: "amber", high: "red", critical: "red" } as const;
const STATUS_TONE = { open: "amber", dismissed: "gray", incident: "blue", resolved: "green" } as const;

type Choices = { gateways: { id: string; name: string }[]; agents: { id: string; name: string }[] };

/** The findings list: what telemetry and posture checks found, with evidence, fixes and the actions a role may take. */
export function FindingsList(props: {
  rows: FindingListRow[];
  view: ListView;
  choices: Choices;
  canDecide: boolean;
  canOpenIncident: boolean;
  canExplore: boolean;
  dismiss: ServerAction;
  openIncident: ServerAction;
}) {
  const { rows, view, choices, canDecide, canOpenIncident, canExplore, dismiss, openIncident } = props;
  return (
    <>
      <PageHeader
        title="Findings"
        description="Computed from tool-call telemetry every few minutes: calls to tools not on an agent's allowlist, builds whose hash differs from the approved one, egress to hosts with no recorded data flow, and unusual spikes of calls; plus gateway posture checks. Each links to its evidence and can be dismissed with a reason or opened as an incident."
      />
      <ListPage
        caption="Findings"
        noun="findings"
        basePath="/findings"
        view={view}
        csvPath="/api/v1/findings"
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
        rows={rows.map((f) => {
          const evidence = evidenceHref(f);
          const fix = f.status === "resolved" ? null : fixOf(f);
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
                  {f.status === "resolved" && (
                    <p className="text-xs text-slate-500">Resolved automatically: {String((f.detail as { resolvedNote?: unknown } | null)?.resolvedNote ?? "no longer applies")}</p>
                  )}
                </div>
              ),
              status: <Badge tone={STATUS_TONE[f.status]}>{f.status}</Badge>,
              lastSeenAt: <RelativeTime at={f.lastSeenAt} className="whitespace-nowrap text-xs" />,
              firstSeenAt: <RelativeTime at={f.firstSeenAt} className="whitespace-nowrap text-xs" />,
              actions: (
                <div className="flex flex-col gap-2">
                  {fix &&
                    (fix.href.startsWith("/") ? (
                      <Link href={fix.href} className="text-sm text-brand-600 hover:underline">
                        {fix.label}
                      </Link>
                    ) : (
                      <a href={fix.href} rel="noreferrer noopener" target="_blank" className="text-sm text-brand-600 hover:underline">
                        {fix.label}
                      </a>
                    ))}
                  {evidence && (
                    <Link href={evidence} className="text-sm text-brand-600 hover:underline">
                      Evidence
                    </Link>
                  )}
                  {f.kind === "agent_link" && f.agentId && (
                    <Link href={`/agents/${f.agentId}#agent-links`} className="text-sm text-brand-600 hover:underline">
                      Review pair (approve)
                    </Link>
                  )}
                  {canDecide && f.status === "open" && (
                    <ReasonAction
                      label="Dismiss"
                      action={dismiss}
                      payload={{ id: f.id }}
                      confirmLabel="Confirm: dismiss finding"
                      placeholder="Why this is not a problem (e.g. expected during the migration)"
                      variant="secondary"
                    />
                  )}
                  {canOpenIncident && f.status !== "incident" && <OpenIncidentButton id={f.id} label={f.title} severity={f.severity} action={openIncident} />}
                </div>
              ),
            },
          };
        })}
        empty={{
          title: "No findings",
          body: "Nothing unusual in the tool-call telemetry so far. Findings are computed every few minutes from the calls your gateways report and from gateway posture checks.",
          action: canExplore ? { href: "/tool-calls", label: "See the reported tool calls" } : null,
        }}
      />
    </>
  );
}
