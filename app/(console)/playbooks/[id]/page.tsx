import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { requireScope } from "@/lib/auth/session";
import { can } from "@/lib/auth/roles";
import { getPlaybook, type DrillState } from "@/lib/playbooks/queries";
import { ACTION_LABELS, DRILL_DUE_DAYS, PHASE_LABELS, PLAYBOOK_PHASES, TRIGGER_LABELS } from "@/lib/playbooks/schema";
import { describeTrigger } from "@/lib/playbooks/format";
import { fmtDuration } from "@/lib/playbooks/drill";
import { Badge, type Tone } from "@/components/ui/Badge";
import { Card, EmptyState, PageHeader } from "@/components/ui/Card";
import { DataTable } from "@/components/ui/DataTable";
import { Fact } from "@/components/ui/Fact";
import { fmtDate, fmtDay } from "@/components/ui/format";
import { DeletePlaybook } from "@/components/playbooks/DeletePlaybook";
import { RunPlaybook } from "@/components/playbooks/RunPlaybook";
import { deletePlaybook, runPlaybook } from "../actions";

export const metadata: Metadata = { title: "Playbook" };

const DRILL: Record<DrillState, [string, Tone]> = { never: ["never drilled", "red"], overdue: [`not drilled in ${DRILL_DUE_DAYS} days`, "amber"], ok: ["drilled", "green"] };
const OUTCOME_TONE = { done: "green", skipped: "gray", failed: "red" } as const;
const SEVERITY_TONE = { low: "gray", medium: "amber", high: "red", critical: "red" } as const;
const button = "inline-flex items-center justify-center rounded-md px-3 py-2 text-sm font-medium";

export default async function PlaybookPage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await requireScope("registry:read");
  const { id } = await params;
  const p = await getPlaybook(id);
  if (!p) notFound();
  const canManage = can(actor.role, "playbooks:manage");
  const canDrill = can(actor.role, "incidents:manage");
  const canRun = can(actor.role, "containment:execute");
  const trig = describeTrigger(p.trigger, p.triggerConfig, p.names);
  const [drillLabel, drillTone] = DRILL[p.drillState];
  const hasContainment = p.steps.some((s) => s.phase === "containment");
  const automated = p.steps.flatMap((s) => (s.action ? [{ step: s.title, label: ACTION_LABELS[s.action.type], target: s.action.target }] : []));

  return (
    <>
      <PageHeader
        title={p.name}
        description={p.description || undefined}
        actions={
          <div className="flex flex-wrap items-center gap-3">
            <Link href="/playbooks" className="text-sm text-brand-600 hover:underline">
              ← All playbooks
            </Link>
            {canManage && (
              <Link
                href={`/playbooks/${p.id}/edit`}
                className={`${button} border border-slate-300 bg-white text-slate-800 hover:bg-slate-50 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100`}
              >
                Edit
              </Link>
            )}
            {canDrill && p.steps.length > 0 && (
              <Link href={`/playbooks/${p.id}/drill`} className={`${button} bg-brand-600 text-white hover:bg-brand-700`}>
                Run a drill
              </Link>
            )}
          </div>
        }
      />

      <section
        aria-labelledby="break-glass"
        className={`mb-6 rounded-xl border-2 p-5 ${p.breakGlass ? "border-red-400 bg-red-50 dark:border-red-800 dark:bg-red-950" : "border-amber-300 bg-amber-50 dark:border-amber-900 dark:bg-amber-950"}`}
      >
        <h2 id="break-glass" className="text-base font-semibold text-red-900 dark:text-red-200">
          Break-glass access — when Warden or a gateway is unreachable
        </h2>
        {p.breakGlass ? (
          <p className="mt-2 whitespace-pre-wrap font-mono text-sm text-slate-900 dark:text-slate-100">{p.breakGlass}</p>
        ) : (
          <p className="mt-2 text-sm text-amber-900 dark:text-amber-200">
            None written. Say where the emergency credentials are, who holds them and how to stop a gateway by hand
            {canManage ? (
              <>
                {" "}
                —{" "}
                <Link className="underline" href={`/playbooks/${p.id}/edit`}>
                  add break-glass notes
                </Link>
              </>
            ) : (
              ""
            )}
            .
          </p>
        )}
      </section>

      <div className="grid gap-6 xl:grid-cols-[minmax(0,1fr)_24rem]">
        <div className="space-y-6">
          <Card title={`Steps (${p.steps.length})`}>
            {p.steps.length === 0 ? (
              <EmptyState title="No steps yet">A playbook is its steps: what to check, what to contain, whom to call.</EmptyState>
            ) : (
              <div className="space-y-5">
                {!hasContainment && (
                  <p className="rounded-md bg-amber-50 p-2 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-200">No containment step: drills cannot measure time to contain.</p>
                )}
                {PLAYBOOK_PHASES.map((phase) => {
                  const steps = p.steps.filter((s) => s.phase === phase);
                  if (steps.length === 0) return null;
                  return (
                    <section key={phase} aria-labelledby={`phase-${phase}`}>
                      <h3 id={`phase-${phase}`} className="mb-2 text-xs font-semibold uppercase tracking-wide text-slate-500">
                        {PHASE_LABELS[phase]}
                      </h3>
                      <ol className="space-y-2">
                        {steps.map((s) => (
                          <li key={s.id} className="rounded-lg border border-slate-200 p-3 dark:border-slate-800">
                            <p className="font-medium">
                              {p.steps.indexOf(s) + 1}. {s.title}
                            </p>
                            {s.detail && <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">{s.detail}</p>}
                            {s.action && (
                              <p className="mt-2 text-sm">
                                <Badge tone="blue">automated</Badge> {ACTION_LABELS[s.action.type]}: <code className="rounded bg-slate-100 px-1 text-xs dark:bg-slate-800">{s.action.target}</code>
                              </p>
                            )}
                            {!s.action && s.rawAction !== null && <p className="mt-2 text-xs text-red-600">Its automated action is not understood and will not run: edit the step.</p>}
                          </li>
                        ))}
                      </ol>
                    </section>
                  );
                })}
              </div>
            )}
          </Card>

          <Card title={`Drill history (${p._count.drills})`}>
            <DataTable
              caption="Drills of this playbook, newest first"
              columns={[
                { id: "when", header: "Drilled" },
                { id: "by", header: "By" },
                { id: "duration", header: "Duration" },
                { id: "ttc", header: "Time to contain" },
                { id: "steps", header: "Steps" },
              ]}
              rows={p.drills.map((d) => ({
                key: d.id,
                cells: {
                  when: <span className="whitespace-nowrap">{fmtDate(d.startedAt)}</span>,
                  by: d.runBy.name || d.runBy.email,
                  duration: <span className="tabular-nums">{d.finishedAt ? fmtDuration(d.finishedAt.getTime() - d.startedAt.getTime()) : "—"}</span>,
                  ttc: <span className="tabular-nums">{fmtDuration(d.timeToContainMs)}</span>,
                  steps: (
                    <details>
                      <summary className="cursor-pointer whitespace-nowrap">
                        {d.outcomes.done} done · {d.outcomes.skipped} skipped · {d.outcomes.failed} failed
                      </summary>
                      <ol className="mt-2 space-y-1 text-xs">
                        {d.stepResults.map((r) => (
                          <li key={`${d.id}-${r.stepId}`}>
                            <Badge tone={OUTCOME_TONE[r.outcome] ?? "gray"}>{r.outcome}</Badge> {r.title}{" "}
                            <span className="text-slate-500">
                              ({PHASE_LABELS[r.phase] ?? r.phase}, {fmtDuration(Date.parse(r.finishedAt) - Date.parse(r.startedAt))})
                            </span>
                            {r.note && <span className="block pl-2 text-slate-600 dark:text-slate-400">{r.note}</span>}
                          </li>
                        ))}
                      </ol>
                    </details>
                  ),
                },
                sort: { when: d.startedAt.getTime(), ttc: d.timeToContainMs ?? Number.MAX_SAFE_INTEGER },
              }))}
              empty={
                <EmptyState title="Never drilled">
                  An untested plan fails when it is needed.{" "}
                  {canDrill && p.steps.length > 0 && (
                    <Link className="text-brand-600 hover:underline" href={`/playbooks/${p.id}/drill`}>
                      Run the first drill
                    </Link>
                  )}
                </EmptyState>
              }
            />
            {p._count.drills > p.drills.length && (
              <p className="mt-2 text-xs text-slate-500">
                Showing the last {p.drills.length}. All drills: GET /api/v1/playbooks/{p.id}/drills.
              </p>
            )}
          </Card>
        </div>

        <div className="space-y-6">
          <Card title="Run now">
            {canRun ? (
              <div className="space-y-3">
                <p className="text-sm text-slate-600 dark:text-slate-400">
                  {p.trigger === "manual" ? "This playbook never fires on its own: run it when you need it." : "Fires on its own when its trigger holds; run it now if you know before Warden does."}
                </p>
                <RunPlaybook id={p.id} name={p.name} updatedAt={p.updatedAt.toISOString()} automated={automated} action={runPlaybook} />
              </div>
            ) : (
              <p className="text-sm text-slate-600 dark:text-slate-400">
                Running a playbook by hand may flip kill switches: operators and admins do it{p.trigger === "manual" ? "" : ", and its trigger runs it on its own"}.
              </p>
            )}
          </Card>
          <Card title="Trigger">
            <dl className="space-y-3 text-sm">
              <Fact label="Fires on">{TRIGGER_LABELS[p.trigger]}</Fact>
              <Fact label="When">{trig.valid ? trig.text : <span className="text-red-600">{trig.text}</span>}</Fact>
            </dl>
          </Card>
          <Card title="Drills">
            <dl className="space-y-3 text-sm">
              <Fact label="State">
                <Badge tone={drillTone}>{drillLabel}</Badge>
              </Fact>
              <Fact label="Last drill">{fmtDay(p.lastDrill?.startedAt)}</Fact>
              <Fact label="Time to contain (last drill)">
                <span className="tabular-nums">{p.lastDrill ? fmtDuration(p.lastDrill.timeToContainMs) : "—"}</span>
              </Fact>
            </dl>
          </Card>
          <Card title="Contacts">
            {p.contacts.length === 0 ? (
              <p className="text-sm text-amber-700 dark:text-amber-300">No contacts. Add the vendor’s security contact and your on-call.</p>
            ) : (
              <ul className="space-y-3 text-sm">
                {p.contacts.map((c, i) => (
                  <li key={`${c.name}-${i}`}>
                    <p className="font-medium">
                      {c.name} <Badge tone={c.kind === "vendor" ? "gray" : "blue"}>{c.kind === "vendor" ? "vendor" : "on-call"}</Badge>
                    </p>
                    {c.email && (
                      <a className="block text-brand-600 hover:underline" href={`mailto:${c.email}`}>
                        {c.email}
                      </a>
                    )}
                    {c.phone && (
                      <a className="block text-brand-600 hover:underline" href={`tel:${c.phone.replace(/[^+0-9]/g, "")}`}>
                        {c.phone}
                      </a>
                    )}
                  </li>
                ))}
              </ul>
            )}
          </Card>
          <Card title={`Incidents opened (${p._count.incidents})`}>
            {p.incidents.length === 0 ? (
              <p className="text-sm text-slate-500">This playbook has not opened an incident.</p>
            ) : (
              <ul className="space-y-2 text-sm">
                {p.incidents.map((i) => (
                  <li key={i.id}>
                    <Link className="text-brand-600 hover:underline" href={`/incidents/${i.id}`}>
                      {i.title}
                    </Link>
                    <span className="block text-xs text-slate-500">
                      <Badge tone={SEVERITY_TONE[i.severity]}>{i.severity}</Badge> {i.status} · {fmtDate(i.openedAt)}
                    </span>
                  </li>
                ))}
              </ul>
            )}
            <Link href="/incidents" className="mt-3 block text-sm text-brand-600 hover:underline">
              All incidents →
            </Link>
          </Card>
          {canManage && (
            <Card title="Delete">
              <DeletePlaybook id={p.id} name={p.name} drills={p._count.drills} action={deletePlaybook} />
            </Card>
          )}
        </div>
      </div>
    </>
  );
}
