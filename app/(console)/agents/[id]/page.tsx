import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { requireScope } from "@/lib/auth/session";
import { can } from "@/lib/auth/roles";
import { getAgent, listBundles } from "@/lib/agents/queries";
import { effectiveAllowlist } from "@/lib/allowlist/effective";
import { describeConditions, gatewayConditionsOf } from "@/lib/tools/conditions";
import { toolOptions } from "@/lib/tools/queries";
import { Badge } from "@/components/ui/Badge";
import { Card, PageHeader } from "@/components/ui/Card";
import { DataTable } from "@/components/ui/DataTable";
import { RelativeTime } from "@/components/ui/RelativeTime";
import { ReasonAction } from "@/components/ui/ReasonAction";
import { BundlesEditor } from "@/components/agents/BundlesEditor";
import { GrantForm } from "@/components/agents/GrantForm";
import { AgentForm } from "@/components/agents/AgentForm";
import { listGateways } from "@/lib/fleet/queries";
import { teamOptions } from "@/lib/teams/queries";
import { teamScopeOf } from "@/lib/teams/scope";
import { reportedAgentPosture } from "@/lib/gateways/inventory-view";
import { createGrant, revokeGrant, setAgentBundles, updateAgent } from "../../tools/actions";
import { agentLinksOf, type AgentLinkRow } from "@/lib/agent-links/queries";
import { AgentLinkForm } from "@/components/agents/AgentLinkForm";
import { approveAgentLink, revokeAgentLink } from "../actions";

export const metadata: Metadata = { title: "Agent" };

export default async function AgentPage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await requireScope("registry:read");
  const { id } = await params;
  const scope = teamScopeOf(actor);
  // Another team's agent is "not found" for a team-scoped user.
  const agent = /^[0-9a-f-]{36}$/.test(id) ? await getAgent(id, scope) : null;
  if (!agent) notFound();
  const [allowlist, bundles, tools, gateways, teams, links, reported] = await Promise.all([
    effectiveAllowlist(agent.id),
    listBundles(),
    toolOptions(),
    listGateways(scope),
    teamOptions(scope),
    agentLinksOf(agent.id, scope),
    reportedAgentPosture(agent),
  ]);
  const posture = agent.posture as Record<string, unknown>;
  const mayDecide = can(actor.role, "tools:decide");
  const mayLink = can(actor.role, "data_flows:decide");
  const linkCells = (l: AgentLinkRow, outgoing: boolean) => ({
    agent: l.agentId ? (
      <Link className="font-medium text-brand-600 hover:underline" href={`/agents/${l.agentId}`}>
        {l.agentName}
      </Link>
    ) : (
      <span>
        {l.agentName} <Badge tone="gray">not registered</Badge>
      </span>
    ),
    state: l.approved ? <Badge tone="green">approved</Badge> : <Badge tone="red">not approved</Badge>,
    calls: (
      <span className="text-xs">
        {l.calls}
        {l.blocked ? ` (${l.blocked} blocked)` : ""}
      </span>
    ),
    lastAt: (
      <span className="whitespace-nowrap text-xs">
        <RelativeTime at={l.lastAt} />
      </span>
    ),
    why: (
      <span className="text-xs">
        {l.approved ? (
          <>
            {l.approved.reason} ({l.approved.approvedBy}, <RelativeTime at={l.approved.at} />)
          </>
        ) : (
          "—"
        )}
      </span>
    ),
    actions:
      !mayLink || !l.agentId ? null : l.approved ? (
        <ReasonAction
          label="Revoke pair"
          action={revokeAgentLink}
          payload={outgoing ? { fromAgentId: agent.id, toAgentId: l.agentId } : { fromAgentId: l.agentId, toAgentId: agent.id }}
          confirmLabel="Confirm: revoke pair"
        >
          <p className="text-sm">{outgoing ? `${agent.name} will no longer be allowed to reach ${l.agentName}.` : `${l.agentName} will no longer be allowed to reach ${agent.name}.`}</p>
        </ReasonAction>
      ) : (
        <ReasonAction
          label="Approve pair"
          variant="secondary"
          action={approveAgentLink}
          payload={outgoing ? { fromAgentId: agent.id, toAgentId: l.agentId } : { fromAgentId: l.agentId, toAgentId: agent.id }}
          confirmLabel="Confirm: approve pair"
          placeholder="Why these agents may talk"
        />
      ),
  });
  const linkColumns = [
    { id: "agent", header: "Agent" },
    { id: "state", header: "Pair" },
    { id: "calls", header: "Calls" },
    { id: "lastAt", header: "Last call" },
    { id: "why", header: "Approval" },
    { id: "actions", header: "" },
  ];
  return (
    <>
      <PageHeader
        title={agent.name}
        description={agent.purpose}
        actions={
          <a className="text-sm text-brand-600 hover:underline" href={`/api/v1/agents/${agent.id}/agents-md`} download>
            Download AGENTS.md
          </a>
        }
      />
      {agent.flags.length > 0 && (
        <div className="mb-6 space-y-2" aria-label="Posture flags">
          {agent.flags.map((f) => (
            <p
              key={f.id}
              className={`rounded-md p-3 text-sm ${f.severity === "high" ? "bg-red-50 text-red-800 dark:bg-red-950 dark:text-red-200" : "bg-amber-50 text-amber-900 dark:bg-amber-950 dark:text-amber-200"}`}
            >
              <strong>{f.title}.</strong> {f.detail}
            </p>
          ))}
        </div>
      )}
      <div className="grid gap-6 xl:grid-cols-[minmax(0,1fr)_24rem]">
        <div className="space-y-6">
          <Card title="Effective allowlist">
            <p className="mb-3 text-sm text-slate-600 dark:text-slate-400">
              Bundles + direct grants + time-boxed exceptions, minus revoked and expired ones; only approved versions, pinned to their hash. Also served as{" "}
              <a className="text-brand-600 hover:underline" href={`/api/v1/agents/${agent.id}/allowlist`}>
                JSON
              </a>
              .
            </p>
            <DataTable
              caption="Effective allowlist"
              columns={[
                { id: "tool", header: "Tool" },
                { id: "status", header: "Status" },
                { id: "versions", header: "Pinned versions" },
                { id: "conditions", header: "Conditions at the gateway" },
                { id: "why", header: "Why" },
              ]}
              rows={(allowlist?.entries ?? []).map((e) => ({
                key: e.toolId,
                cells: {
                  tool: (
                    <span>
                      <Link className="font-medium text-brand-600 hover:underline" href={`/tools/${e.toolId}`}>
                        {e.toolName}
                      </Link>
                      {e.advisory && (
                        <>
                          {" "}
                          <Badge tone="red">advisory</Badge>
                        </>
                      )}
                    </span>
                  ),
                  status: <Badge tone={e.status === "allowed" ? (e.versions.some((v) => v.overdue) || e.exception ? "amber" : "green") : "red"}>{e.status}</Badge>,
                  versions: e.versions.length ? (
                    <ul className="text-xs">
                      {e.versions.map((v) => (
                        <li key={v.decisionId}>
                          {v.version} <code>{v.contentHash.slice(0, 12)}…</code>
                          {v.overdue && (
                            <>
                              {" "}
                              <Badge tone="amber">overdue</Badge>
                            </>
                          )}{" "}
                          {v.outcome === "approve_with_conditions" ? (
                            <>
                              <Badge tone="blue">with conditions</Badge>{" "}
                              <span className="block text-slate-600 dark:text-slate-400">{describeConditions(gatewayConditionsOf(v.conditions)).join("; ")}</span>
                            </>
                          ) : (
                            <span className="text-slate-500">no conditions</span>
                          )}
                          {e.conditionsFrom && v.version !== e.conditionsFrom && <span className="block text-slate-500">the conditions of {e.conditionsFrom} apply to its calls too</span>}
                        </li>
                      ))}
                    </ul>
                  ) : e.exception ? (
                    <span className="text-xs">any (exception)</span>
                  ) : (
                    "—"
                  ),
                  conditions: (
                    <div className="text-xs" data-testid="allowlist-conditions">
                      {e.conditions ? (
                        <ul className="list-disc pl-4">
                          {describeConditions(e.conditions).map((x) => (
                            <li key={x}>{x}</li>
                          ))}
                        </ul>
                      ) : e.status === "allowed" ? (
                        <span className="text-slate-500">none (only the SSRF check)</span>
                      ) : (
                        "—"
                      )}
                      {e.conditionsFrom && <p className="text-slate-500">from the approval of {e.conditionsFrom}</p>}
                      {e.until && (
                        <p>
                          <Badge tone="amber">
                            ends <RelativeTime at={e.until} />
                          </Badge>
                        </p>
                      )}
                    </div>
                  ),
                  why: <span className="text-xs">{e.reason}</span>,
                },
                sort: { tool: e.toolName, status: e.status },
              }))}
              empty={<p className="text-sm text-slate-500">This agent may call no tools: give it a bundle or grant a tool.</p>}
            />
          </Card>
          <Card title="Grants and exceptions">
            {agent.grants.length === 0 ? (
              <p className="text-sm text-slate-500">No direct grants or exceptions: this agent gets its tools from its bundles only.</p>
            ) : (
              <ul className="space-y-3">
                {agent.grants.map((g) => {
                  const expired = g.expiresAt && g.expiresAt < new Date(allowlist?.computedAt ?? 0);
                  return (
                    <li key={g.id} className="text-sm">
                      <p>
                        <Badge tone={g.kind === "exception" ? "amber" : "blue"}>{g.kind}</Badge> <strong>{g.tool.name}</strong> — {g.reason}{" "}
                        <span className="text-xs text-slate-500">
                          by {g.grantedBy.email}, <RelativeTime at={g.createdAt} />
                          {g.expiresAt ? (
                            <>
                              , until <RelativeTime at={g.expiresAt} />
                            </>
                          ) : (
                            ""
                          )}
                        </span>{" "}
                        {g.revokedAt ? <Badge tone="red">revoked: {g.revokeReason}</Badge> : expired ? <Badge tone="gray">expired</Badge> : null}
                      </p>
                      {mayDecide && !g.revokedAt && !expired && (
                        <div className="mt-1">
                          <ReasonAction label={`Revoke ${g.kind}`} action={revokeGrant} payload={{ id: g.id }} />
                        </div>
                      )}
                    </li>
                  );
                })}
              </ul>
            )}
          </Card>
          <section id="agent-links" aria-label="Agent links">
            <Card title="Agents it reaches">
              <p className="mb-3 text-sm text-slate-600 dark:text-slate-400">
                Session sends and sub-agent spawns to other agents on its gateway. Only approved pairs are let through by the gateway (the policy&apos;s peers); a call outside them is a finding.
              </p>
              <DataTable
                caption="Agents it reaches"
                columns={linkColumns}
                rows={links.outgoing.map((l) => ({ key: l.agentId ?? `ext:${l.gatewayAgentId}`, cells: linkCells(l, true), sort: { agent: l.agentName } }))}
                empty={<p className="text-sm text-slate-500">None seen or approved.</p>}
              />
              {mayLink && (
                <div className="mt-4">
                  <AgentLinkForm fromAgentId={agent.id} agents={links.candidates} action={approveAgentLink} />
                </div>
              )}
            </Card>
            {links.incoming.length > 0 && (
              <div className="mt-6">
                <Card title="Agents that reach it">
                  <DataTable
                    caption="Agents that reach it"
                    columns={linkColumns}
                    rows={links.incoming.map((l) => ({ key: l.agentId ?? `ext:${l.gatewayAgentId}`, cells: linkCells(l, false), sort: { agent: l.agentName } }))}
                  />
                </Card>
              </div>
            )}
          </section>
        </div>
        <div className="space-y-6">
          {reported && (
            <Card title="Posture reported by the gateway">
              <p className="mb-2 text-xs text-slate-500" data-testid="reported-by">
                Reported by{" "}
                <Link className="text-brand-600 hover:underline" href={`/gateways/${reported.gatewayId}`}>
                  {reported.gatewayName}
                </Link>
                {reported.reportedAt ? (
                  <>
                    {" "}
                    <RelativeTime at={reported.reportedAt} />
                  </>
                ) : (
                  ""
                )}
                . What the gateway runs wins over the registry&apos;s record below{reported.differences.length ? "; differences are flagged" : ""}.
              </p>
              <dl className="grid grid-cols-[8rem_1fr] gap-y-1 text-sm" aria-label="Reported posture">
                {(
                  [
                    ["model", "Model", reported.reported.model],
                    ["fallbackModels", "Fallback models", reported.reported.fallbackModels?.join(", ") || (reported.reported.fallbackModels ? "none" : null)],
                    ["execMode", "Exec mode", reported.reported.execMode],
                    ["sandbox", "Sandbox", reported.reported.sandbox],
                    [
                      "canDelegate",
                      "Delegation",
                      reported.reported.canDelegate === null
                        ? null
                        : reported.reported.canDelegate
                          ? `allowed${reported.reported.subagents.length ? ` (${reported.reported.subagents.join(", ")})` : ""}`
                          : "not allowed",
                    ],
                    ["workspaceOnly", "Workspace only", reported.reported.workspaceOnly === null ? null : reported.reported.workspaceOnly ? "yes" : "no"],
                  ] as const
                ).map(([field, label, value]) => {
                  const diff = reported.differences.find((d) => d.field === field);
                  return [
                    <dt key={`${field}-t`} className="text-slate-500">
                      {label}
                    </dt>,
                    <dd key={`${field}-d`}>
                      {value ?? <span className="text-slate-500">not reported</span>}
                      {diff && (
                        <>
                          {" "}
                          <Badge tone={diff.riskier ? "red" : "amber"}>differs</Badge> <span className="text-xs text-slate-500">registry: {diff.registry}</span>
                        </>
                      )}
                    </dd>,
                  ];
                })}
              </dl>
            </Card>
          )}
          <Card title="Identity">
            <dl className="grid grid-cols-[7rem_1fr] gap-y-1 text-sm">
              <dt className="text-slate-500">Owner</dt>
              <dd>
                {agent.owner}
                {agent.team ? ` (${agent.team.name})` : ""}
              </dd>
              <dt className="text-slate-500">Gateway</dt>
              <dd>{agent.gateway ? `${agent.gateway.name} (${agent.gateway.environment})` : "—"}</dd>
              <dt className="text-slate-500">Status</dt>
              <dd>
                <Badge tone={agent.status === "active" ? "green" : "red"}>{agent.status}</Badge>
              </dd>
              <dt className="text-slate-500">Scope</dt>
              <dd>{agent.scope === "external" ? "external-facing" : "internal"}</dd>
              <dt className="text-slate-500">Channels</dt>
              <dd>{agent.channels.join(", ") || "—"}</dd>
              <dt className="text-slate-500">Model</dt>
              <dd>{[agent.model, ...agent.fallbackModels].filter(Boolean).join(" → ") || "—"}</dd>
              <dt className="text-slate-500">Credentials</dt>
              <dd>
                {agent.credentialRefs.map((c) => (
                  <code key={c} className="mr-1 text-xs">
                    {c}
                  </code>
                ))}
              </dd>
              <dt className="text-slate-500">Posture</dt>
              <dd className="text-xs">
                exec {String(posture.execMode ?? "?")}, delegation {posture.canDelegate ? "allowed" : "off"}, files {posture.fsWorkspaceOnly === false ? "unscoped" : "workspace only"}, DMs{" "}
                {String(posture.dmPolicy ?? "?")}
              </dd>
            </dl>
          </Card>
          <Card title="Capability bundles">
            {can(actor.role, "registry:write") ? (
              <BundlesEditor
                agentId={agent.id}
                bundles={bundles.map((b) => ({ id: b.id, name: b.name, tools: b.tools.map((t) => t.tool.name) }))}
                selected={agent.bundles.map((b) => b.bundle.id)}
                action={setAgentBundles}
              />
            ) : (
              <ul className="text-sm">
                {agent.bundles.map((b) => (
                  <li key={b.bundle.id}>{b.bundle.name}</li>
                ))}
              </ul>
            )}
          </Card>
          {mayDecide && (
            <Card title="Grant a tool">
              <GrantForm agentId={agent.id} tools={tools} action={createGrant} />
            </Card>
          )}
        </div>
      </div>
      {can(actor.role, "registry:write") && (
        <div className="mt-6">
          <Card title="Edit agent">
            <AgentForm
              mode="edit"
              id={agent.id}
              gateways={gateways.map((g) => ({ id: g.id, name: g.name }))}
              teams={teams}
              action={updateAgent}
              initial={{
                name: agent.name,
                owner: agent.owner,
                teamId: agent.team?.id ?? "",
                purpose: agent.purpose,
                gatewayId: agent.gateway?.id ?? "",
                scope: agent.scope,
                status: agent.status,
                channels: agent.channels,
                model: agent.model ?? "",
                fallbackModels: agent.fallbackModels,
                credentialRefs: agent.credentialRefs,
                posture: {
                  fsWorkspaceOnly: posture.fsWorkspaceOnly !== false,
                  execMode: String(posture.execMode ?? "deny"),
                  canDelegate: Boolean(posture.canDelegate),
                  dmPolicy: String(posture.dmPolicy ?? "pairing"),
                  groupPolicy: String(posture.groupPolicy ?? "allowlist"),
                  ...(typeof posture.sandbox === "string" ? { sandbox: posture.sandbox } : {}),
                },
              }}
            />
          </Card>
        </div>
      )}
    </>
  );
}
