import type { Metadata } from "next";
import { Fact } from "@/components/ui/Fact";
import Link from "next/link";
import { notFound } from "next/navigation";
import { requireScope } from "@/lib/auth/session";
import { can } from "@/lib/auth/roles";
import { getIntegration, listAgentChoices, type IntegrationDetail, type ReviewState } from "@/lib/integrations/queries";
import type { TDegradation } from "@/lib/integrations/schema";
import { Badge, type Tone } from "@/components/ui/Badge";
import { Card, EmptyState, PageHeader } from "@/components/ui/Card";
import { DataTable } from "@/components/ui/DataTable";
import { fmtDay } from "@/components/ui/format";
import { RelativeTime } from "@/components/ui/RelativeTime";
import { IntegrationForm } from "@/components/integrations/IntegrationForm";
import { ReviewForm } from "@/components/integrations/ReviewForm";
import { AdvisoryPanel } from "@/components/integrations/AdvisoryPanel";
import { LinkedAgentsForm } from "@/components/integrations/LinkedAgentsForm";
import type { IntegrationFormValues } from "@/components/integrations/types";
import { clearIntegrationAdvisory, reviewIntegration, setIntegrationAdvisory, setIntegrationAgents, updateIntegration } from "../actions";
import { teamScopeOf } from "@/lib/teams/scope";

export const metadata: Metadata = { title: "Integration" };

const REVIEW: Record<ReviewState, [string, Tone]> = { overdue: ["overdue", "red"], due_soon: ["due within 30 days", "amber"], later: ["scheduled", "green"], unscheduled: ["not scheduled", "gray"] };
const OUTCOME_TONE = { approve: "green", approve_with_conditions: "amber", reject: "red" } as const;

function formValues(i: IntegrationDetail): IntegrationFormValues {
  const d = i.degradation as TDegradation | null;
  return {
    name: i.name,
    provider: i.provider,
    providerVerified: i.providerVerified,
    reason: i.reason,
    permissions: i.permissions,
    auditDate: i.auditDate ? fmtDay(i.auditDate) : "",
    auditResult: i.auditResult ?? "",
    dependencyStatus: i.dependencyStatus ?? "",
    securityContactName: i.securityContactName ?? "",
    securityContactEmail: i.securityContactEmail ?? "",
    securityContactPhone: i.securityContactPhone ?? "",
    disclosureProcess: i.disclosureProcess ?? "",
    irPartner: i.irPartner ?? "",
    degradation: d ? { primary: d.primary ?? "", fallback: d.fallback ?? "", onFailure: d.onFailure ?? "", maxRetries: d.maxRetries === undefined ? "" : String(d.maxRetries) } : null,
    nextReviewAt: i.nextReviewAt ? fmtDay(i.nextReviewAt) : "",
  };
}

export default async function IntegrationPage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await requireScope("registry:read");
  const { id } = await params;
  const [i, agents] = await Promise.all([getIntegration(id), listAgentChoices(teamScopeOf(actor))]);
  if (!i) notFound();
  const canWrite = can(actor.role, "registry:write");
  const d = i.degradation as TDegradation | null;
  const [reviewLabel, reviewTone] = REVIEW[i.reviewState];

  return (
    <>
      <PageHeader
        title={i.name}
        description={i.reason}
        actions={
          <Link href="/integrations" className="text-sm text-brand-600 hover:underline">
            ← All integrations
          </Link>
        }
      />
      {i.advisoryFlaggedAt && (
        <div role="alert" className="mb-6 rounded-xl border border-red-300 bg-red-50 p-4 text-sm text-red-800 dark:border-red-900 dark:bg-red-950 dark:text-red-200">
          <p className="font-semibold">
            Vendor advisory flagged <RelativeTime at={i.advisoryFlaggedAt} />
          </p>
          <p>{i.advisoryNote}</p>
          <p className="mt-1 text-xs">
            Re-review due {fmtDay(i.reviewDueAt)} ({reviewLabel}). Record a review below once the vendor’s fix is verified.
          </p>
        </div>
      )}
      <div className="grid gap-6 xl:grid-cols-[minmax(0,1fr)_24rem]">
        <div className="space-y-6">
          <Card title="Summary">
            <dl className="grid gap-x-6 gap-y-3 text-sm md:grid-cols-2">
              <Fact label="Provider">
                {i.provider} {i.providerVerified ? <Badge tone="green">verified</Badge> : <Badge tone="amber">unverified</Badge>}
              </Fact>
              <Fact label="Permissions">
                {i.permissions.length
                  ? i.permissions.map((p) => (
                      <code key={p} className="mr-1 rounded bg-slate-100 px-1 text-xs dark:bg-slate-800">
                        {p}
                      </code>
                    ))
                  : "—"}
              </Fact>
              <Fact label="Last audit">
                <RelativeTime at={i.auditDate} /> {i.auditResult && <span className="text-slate-500">· {i.auditResult}</span>}
              </Fact>
              <Fact label="Next review">
                <RelativeTime at={i.reviewDueAt} /> <Badge tone={reviewTone}>{reviewLabel}</Badge>
              </Fact>
              <Fact label="Dependencies">{i.dependencyStatus ?? "—"}</Fact>
              <Fact label="Security contact">
                {i.securityContactName || i.securityContactEmail || i.securityContactPhone ? (
                  <span>
                    {i.securityContactName ?? ""}{" "}
                    {i.securityContactEmail && (
                      <a className="text-brand-600 hover:underline" href={`mailto:${i.securityContactEmail}`}>
                        {i.securityContactEmail}
                      </a>
                    )}{" "}
                    {i.securityContactPhone ?? ""}
                  </span>
                ) : (
                  <Badge tone="amber">none on file</Badge>
                )}
              </Fact>
              <Fact label="Disclosure process">{i.disclosureProcess ?? "—"}</Fact>
              <Fact label="Incident response partner">{i.irPartner ?? "—"}</Fact>
              <Fact label="Graceful degradation">
                {d ? (
                  <span>
                    <code>{d.primary}</code> → <code>{d.fallback ?? "none"}</code>; on failure <code>{d.onFailure}</code>, max {d.maxRetries} retries
                  </span>
                ) : (
                  <Badge tone="amber">no fallback defined</Badge>
                )}
              </Fact>
              <Fact label="Recorded">
                <RelativeTime at={i.createdAt} /> · updated <RelativeTime at={i.updatedAt} />
              </Fact>
            </dl>
          </Card>
          {canWrite && (
            <Card title="Edit">
              <IntegrationForm mode="edit" id={i.id} initial={formValues(i)} action={updateIntegration} />
            </Card>
          )}
          <Card title="Trust decisions">
            <DataTable
              caption="Trust decisions for this integration"
              columns={[
                { id: "when", header: "Decided" },
                { id: "outcome", header: "Outcome" },
                { id: "by", header: "By" },
                { id: "reason", header: "Reason" },
                { id: "rereview", header: "Re-review" },
              ]}
              rows={i.decisions.map((t) => ({
                key: t.id,
                cells: {
                  when: <RelativeTime at={t.decidedAt} />,
                  outcome: (
                    <span>
                      <Badge tone={OUTCOME_TONE[t.outcome]}>{t.outcome.replaceAll("_", " ")}</Badge>{" "}
                      {t.revokedAt && (
                        <Badge tone="red">
                          revoked <RelativeTime at={t.revokedAt} />
                        </Badge>
                      )}
                    </span>
                  ),
                  by: t.decider.name || t.decider.email,
                  reason: (
                    <span>
                      {t.reason}
                      {t.revokeReason && <span className="block text-xs text-slate-500">Revoked: {t.revokeReason}</span>}
                    </span>
                  ),
                  rereview: <RelativeTime at={t.reReviewAt} />,
                },
                sort: { when: t.decidedAt.getTime() },
              }))}
              empty={<EmptyState title="No trust decisions recorded">Decisions on this integration’s requests appear here, newest first.</EmptyState>}
            />
          </Card>
        </div>
        <div className="space-y-6">
          <Card title="Review">
            <p className="mb-3 text-sm text-slate-600 dark:text-slate-400">
              Last audit <RelativeTime at={i.auditDate} />; next review <RelativeTime at={i.reviewDueAt} /> <Badge tone={reviewTone}>{reviewLabel}</Badge>
            </p>
            {canWrite ? (
              <ReviewForm id={i.id} action={reviewIntegration} advisoryOpen={Boolean(i.advisoryFlaggedAt)} />
            ) : (
              <p className="text-sm text-slate-500">Your role can read this record but not review it.</p>
            )}
          </Card>
          <Card title="Vendor advisory / breach">
            {i.advisoryFlaggedAt ? (
              <p className="mb-3 text-sm">
                <Badge tone="red">flagged</Badge> <RelativeTime at={i.advisoryFlaggedAt} />: {i.advisoryNote}
              </p>
            ) : (
              <p className="mb-3 text-sm text-slate-600 dark:text-slate-400">
                No open advisory. Flag one when the vendor discloses a breach or vulnerability: the integration becomes due for re-review at once.
              </p>
            )}
            {canWrite && <AdvisoryPanel id={i.id} flagged={Boolean(i.advisoryFlaggedAt)} actions={{ set: setIntegrationAdvisory, clear: clearIntegrationAdvisory }} />}
          </Card>
          <Card title={`Used by ${i.agents.length} ${i.agents.length === 1 ? "agent" : "agents"}`}>
            {canWrite ? (
              <LinkedAgentsForm id={i.id} agents={agents} linked={i.agents.map((a) => a.id)} action={setIntegrationAgents} />
            ) : i.agents.length ? (
              <ul className="list-disc pl-5 text-sm">
                {i.agents.map((a) => (
                  <li key={a.id}>{a.name}</li>
                ))}
              </ul>
            ) : (
              <p className="text-sm text-slate-500">No agents linked.</p>
            )}
          </Card>
        </div>
      </div>
    </>
  );
}
