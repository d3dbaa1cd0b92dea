import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { requireScope } from "@/lib/auth/session";
import { can } from "@/lib/auth/roles";
import { evidenceHref, getIncident, incidentFormChoices, INCIDENT_READ_SCOPE, RELATED_CALL_LIMIT, type IncidentDetail } from "@/lib/incidents/queries";
import { Badge } from "@/components/ui/Badge";
import { Card, PageHeader } from "@/components/ui/Card";
import { Fact } from "@/components/ui/Fact";
import { RelativeTime } from "@/components/ui/RelativeTime";
import { Timeline } from "@/components/incidents/Timeline";
import { IncidentControls } from "@/components/incidents/IncidentControls";
import { NoteForm } from "@/components/incidents/NoteForm";
import { PostMortem } from "@/components/incidents/PostMortem";
import { DELIVERY_TONE, SEVERITY_TONE, STATUS_TONE } from "@/components/incidents/tones";
import { addIncidentNote, setPostMortem, updateIncident } from "../actions";
import { teamScopeOf } from "@/lib/teams/scope";

export const metadata: Metadata = { title: "Incident" };

type Contact = { kind?: string; name?: string; email?: string; phone?: string };
const contactsOf = (v: unknown): Contact[] => (Array.isArray(v) ? v.filter((c): c is Contact => !!c && typeof c === "object") : []);
const words = (s: string) => s.replace(/_/g, " ");

function PlaybookBanner({ playbook }: { playbook: NonNullable<IncidentDetail["playbook"]> }) {
  const contacts = contactsOf(playbook.contacts);
  return (
    <section aria-labelledby="break-glass" className="mb-6 rounded-xl border-2 border-amber-400 bg-amber-50 p-5 dark:border-amber-600 dark:bg-amber-950/40">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h2 id="break-glass" className="text-base font-semibold">
          Break-glass — playbook{" "}
          <Link href={`/playbooks/${playbook.id}`} className="text-brand-600 hover:underline">
            {playbook.name}
          </Link>
        </h2>
        <span className="text-xs text-slate-600 dark:text-slate-400">trigger: {words(playbook.trigger)}</span>
      </div>
      {playbook.breakGlass ? (
        <pre className="mt-2 whitespace-pre-wrap break-words font-sans text-sm">{playbook.breakGlass}</pre>
      ) : (
        <p className="mt-2 text-sm text-slate-600 dark:text-slate-400">This playbook has no break-glass notes.</p>
      )}
      {contacts.length > 0 && (
        <ul className="mt-3 flex flex-wrap gap-x-6 gap-y-1 text-sm">
          {contacts.map((c, n) => (
            <li key={n}>
              <span className="text-xs uppercase text-slate-500">{c.kind ?? "contact"}</span> {c.name}
              {c.email && (
                <>
                  {" "}
                  ·{" "}
                  <a className="text-brand-600 hover:underline" href={`mailto:${c.email}`}>
                    {c.email}
                  </a>
                </>
              )}
              {c.phone && (
                <>
                  {" "}
                  ·{" "}
                  <a className="text-brand-600 hover:underline" href={`tel:${c.phone}`}>
                    {c.phone}
                  </a>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function ContainmentActions({ actions, truncated }: { actions: IncidentDetail["actions"]; truncated: boolean }) {
  if (actions.length === 0) return <p className="text-sm text-slate-500">No containment actions are linked to this incident.</p>;
  return (
    <div className="space-y-6">
      {actions.map((a) => (
        <div key={a.id} className="space-y-2">
          <div className="flex flex-wrap items-baseline gap-2 text-sm">
            <span className="font-medium">{words(a.action)}</span>
            <span>
              · {a.scope} <code>{a.label}</code>
            </span>
            <Badge tone={a.status === "active" ? "red" : "green"}>{a.status}</Badge>
            <span className="text-xs text-slate-500">
              <RelativeTime at={a.createdAt} /> by {a.requestedBy ?? a.source} · {a.affectedGateways} gateways, {a.affectedAgents} agents
              {a.releasedAt && (
                <>
                  {" "}
                  · released <RelativeTime at={a.releasedAt} />
                </>
              )}
            </span>
          </div>
          <p className="text-sm text-slate-700 dark:text-slate-300">
            Reason: {a.reason}
            {a.releaseReason && ` · released because: ${a.releaseReason}`}
          </p>
          {a.deliveries.length === 0 ? (
            <p className="text-sm text-slate-500">No gateway commands.</p>
          ) : (
            <div className="overflow-x-auto rounded-lg border border-slate-200 dark:border-slate-800">
              <table className="min-w-full divide-y divide-slate-200 text-sm dark:divide-slate-800">
                <caption className="sr-only">
                  Per-gateway delivery of {words(a.action)} {a.label}
                </caption>
                <thead className="bg-slate-50 dark:bg-slate-900/60">
                  <tr>
                    {["Gateway", "Command", "State", "Delivered", "Acknowledged", "Escalated", "Admin WS", "Attempts"].map((h) => (
                      <th key={h} scope="col" className="px-3 py-2 text-left font-medium text-slate-600 dark:text-slate-300">
                        {h}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
                  {a.deliveries.map((d) => (
                    <tr key={d.id}>
                      <td className="px-3 py-2">
                        <Link href={`/gateways/${d.gatewayId}`} className="text-brand-600 hover:underline">
                          {d.gatewayName}
                        </Link>
                      </td>
                      <td className="px-3 py-2">{d.kind}</td>
                      <td className="px-3 py-2">
                        <Badge tone={DELIVERY_TONE[d.state] ?? "gray"}>{words(d.state)}</Badge>
                        {d.error && <p className="text-xs text-red-600">{d.error}</p>}
                      </td>
                      <td className="whitespace-nowrap px-3 py-2 text-xs">
                        <RelativeTime at={d.deliveredAt} />
                      </td>
                      <td className="whitespace-nowrap px-3 py-2 text-xs">
                        <RelativeTime at={d.ackedAt} />
                      </td>
                      <td className="whitespace-nowrap px-3 py-2 text-xs">
                        {d.escalatedAt ? (
                          <Badge tone="amber">
                            <RelativeTime at={d.escalatedAt} />
                          </Badge>
                        ) : (
                          "—"
                        )}
                      </td>
                      <td className="px-3 py-2 text-xs">{d.wsState ?? "not configured"}</td>
                      <td className="px-3 py-2 text-xs">{d.attempts}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {a.deliveriesTotal > a.deliveries.length && (
                <p className="p-2 text-xs text-slate-500">
                  Showing {a.deliveries.length} of {a.deliveriesTotal} gateway commands.
                </p>
              )}
            </div>
          )}
        </div>
      ))}
      {truncated && <p className="text-xs text-slate-500">Only the first {actions.length} containment actions are shown.</p>}
    </div>
  );
}

export default async function IncidentPage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await requireScope(INCIDENT_READ_SCOPE);
  const i = await getIncident((await params).id, new Date(), teamScopeOf(actor));
  if (!i) notFound();
  const canManage = can(actor.role, "incidents:manage");
  const { owners } = canManage ? await incidentFormChoices() : { owners: [] };

  return (
    <>
      <PageHeader
        title={i.title}
        description={
          <>
            Opened <RelativeTime at={i.openedAt} />
            {i.closedAt ? (
              <>
                {" "}
                · closed <RelativeTime at={i.closedAt} />
              </>
            ) : (
              ""
            )}
          </>
        }
        actions={
          <Link href="/incidents" className="text-sm text-brand-600 hover:underline">
            ← All incidents
          </Link>
        }
      />
      {i.playbook && <PlaybookBanner playbook={i.playbook} />}
      <div className="grid gap-6 xl:grid-cols-2">
        <Card title="Response">
          <dl className="mb-4 grid gap-x-6 gap-y-3 text-sm sm:grid-cols-2">
            <Fact label="Severity">
              <Badge tone={SEVERITY_TONE[i.severity]}>{i.severity}</Badge>
            </Fact>
            <Fact label="Status">
              <Badge tone={STATUS_TONE[i.status]}>{i.status}</Badge>
            </Fact>
            <Fact label="Owner">
              {i.owner ? (
                <>
                  {i.owner.name}{" "}
                  <span className="text-xs text-slate-500">
                    ({i.owner.email}){i.owner.disabledAt ? " · disabled" : ""}
                  </span>
                </>
              ) : (
                <span className="text-slate-500">nobody</span>
              )}
            </Fact>
            <Fact label="Playbook">
              {i.playbook ? (
                <Link href={`/playbooks/${i.playbook.id}`} className="text-brand-600 hover:underline">
                  {i.playbook.name}
                </Link>
              ) : (
                "—"
              )}
            </Fact>
            <Fact label="Window">
              <RelativeTime at={i.window.from} /> → {i.closedAt ? <RelativeTime at={i.window.to} /> : "now"}
            </Fact>
            <Fact label="Evidence">
              <Link href={evidenceHref(i.window)} className="text-brand-600 hover:underline">
                Evidence for this window
              </Link>
            </Fact>
            {can(actor.role, "containment:execute") && i.status !== "closed" && (
              <Fact label="Containment">
                <Link href={`/containment?incident=${i.id}`} className="text-red-700 hover:underline dark:text-red-300">
                  Contain… (kill switch for this incident)
                </Link>
              </Fact>
            )}
          </dl>
          {i.summary && <pre className="mb-4 whitespace-pre-wrap break-words font-sans text-sm text-slate-700 dark:text-slate-300">{i.summary}</pre>}
          {canManage ? (
            <IncidentControls id={i.id} status={i.status} severity={i.severity} ownerId={i.ownerId} owners={owners} action={updateIncident} />
          ) : (
            <p className="text-sm text-slate-500">Read only: your role cannot change incidents.</p>
          )}
        </Card>
        <Card title="Finding">
          {i.finding ? (
            <dl className="grid gap-x-6 gap-y-3 text-sm sm:grid-cols-2">
              <div className="sm:col-span-2">
                <Fact label="Finding">
                  <Link href={i.finding.agentId ? `/findings?agent=${i.finding.agentId}` : "/findings"} className="text-brand-600 hover:underline">
                    {i.finding.title}
                  </Link>
                </Fact>
              </div>
              <Fact label="Kind">
                {words(i.finding.kind)} <Badge tone={SEVERITY_TONE[i.finding.severity]}>{i.finding.severity}</Badge>
              </Fact>
              <Fact label="Status">{i.finding.status}</Fact>
              <Fact label="Agent">
                {i.finding.agent ? (
                  <Link href={`/agents/${i.finding.agentId}`} className="text-brand-600 hover:underline">
                    {i.finding.agent.name}
                  </Link>
                ) : (
                  "—"
                )}
              </Fact>
              <Fact label="Tool">{i.finding.toolName ? <code>{i.finding.toolName}</code> : "—"}</Fact>
              <Fact label="Gateway">
                {i.finding.gateway ? (
                  <Link href={`/gateways/${i.finding.gatewayId}`} className="text-brand-600 hover:underline">
                    {i.finding.gateway.name}
                  </Link>
                ) : (
                  "—"
                )}
              </Fact>
              <Fact label="Seen">
                <RelativeTime at={i.finding.firstSeenAt} /> → <RelativeTime at={i.finding.lastSeenAt} />
              </Fact>
            </dl>
          ) : (
            <p className="text-sm text-slate-500">Opened by hand, not from a finding.</p>
          )}
          <p className="mt-4 text-xs text-slate-500">
            Related: {i.relatedFindings.length} other finding{i.relatedFindings.length === 1 ? "" : "s"} and {i.blockedCalls.length}
            {i.truncated.calls ? "+" : ""} blocked call{i.blockedCalls.length === 1 ? "" : "s"} of the affected agents and tools in the window
            {i.truncated.calls ? ` (the latest ${RELATED_CALL_LIMIT} are on the timeline)` : ""}. Tool-call parameters are never shown here.
          </p>
        </Card>
      </div>
      <div className="mt-6">
        <Card title="Containment">
          <ContainmentActions actions={i.actions} truncated={i.truncated.actions} />
        </Card>
      </div>
      <div className={canManage ? "mt-6 grid gap-6 xl:grid-cols-[minmax(0,1fr)_24rem]" : "mt-6"}>
        <Card title="Timeline">
          {i.truncated.events && <p className="mb-3 text-xs text-slate-500">Very long timeline: only the latest recorded events are shown.</p>}
          <Timeline entries={i.timeline} />
        </Card>
        {canManage && (
          <div>
            <Card title="Add a note">
              <NoteForm id={i.id} action={addIncidentNote} />
            </Card>
          </div>
        )}
      </div>
      <div className="mt-6">
        <Card title="Post-mortem">
          <PostMortem id={i.id} text={i.postMortem} action={canManage ? setPostMortem : undefined} />
        </Card>
      </div>
    </>
  );
}
