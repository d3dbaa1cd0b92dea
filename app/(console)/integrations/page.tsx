import type { Metadata } from "next";
import Link from "next/link";
import { requireScope } from "@/lib/auth/session";
import { can } from "@/lib/auth/roles";
import { listIntegrations, listReviewQueue, parseIntegrationQuery, type ReviewState } from "@/lib/integrations/queries";
import { ServerTable } from "@/components/ui/ServerTable";
import { Badge, type Tone } from "@/components/ui/Badge";
import { Card, EmptyState, PageHeader } from "@/components/ui/Card";
import { fmtDay } from "@/components/ui/format";

export const metadata: Metadata = { title: "Integrations" };

const REVIEW_LABEL: Record<ReviewState, [string, Tone]> = {
  overdue: ["overdue", "red"],
  due_soon: ["due soon", "amber"],
  later: ["scheduled", "green"],
  unscheduled: ["not scheduled", "gray"],
};

type SP = Record<string, string | string[] | undefined>;

export default async function IntegrationsPage({ searchParams }: { searchParams: Promise<SP> }) {
  const actor = await requireScope("registry:read");
  const sp = await searchParams;
  const { query, invalid } = parseIntegrationQuery(sp);
  const now = new Date();
  const [page, queue] = await Promise.all([listIntegrations(query, now), listReviewQueue(now, 5)]);
  const canWrite = can(actor.role, "registry:write");
  const filtered = Boolean(query.q || query.review || query.advisory || query.verified);

  const csv = new URLSearchParams();
  for (const [k, v] of Object.entries(sp)) if (typeof v === "string" && v && k !== "page" && k !== "pageSize" && !invalid.includes(k)) csv.set(k, v);
  csv.set("format", "csv");

  return (
    <>
      <PageHeader
        title="Integrations"
        description="Vendors and partners your agents depend on: the trust decision, the last audit, who to call when they are breached, and what agents fall back to. Reviews are quarterly."
        actions={canWrite ? <Link href="/integrations/new" className="rounded-md bg-brand-600 px-3 py-2 text-sm font-medium text-white hover:bg-brand-700">New integration</Link> : undefined}
      />
      <div className="mb-6 grid gap-4 md:grid-cols-2">
        <ReviewList title={`Reviews overdue (${queue.overdueTotal})`} items={queue.overdue} href="/integrations?review=overdue&sort=nextReviewAt" emptyText="Nothing overdue." tone="red" />
        <ReviewList title={`Reviews due within 30 days (${queue.dueSoonTotal})`} items={queue.dueSoon} href="/integrations?review=due_soon&sort=nextReviewAt" emptyText="Nothing due in the next 30 days." tone="amber" />
      </div>
      {invalid.length > 0 && <p role="alert" className="mb-3 text-sm text-red-600">Some filters were not valid and were ignored: {invalid.join(", ")}.</p>}
      <ServerTable
        caption="Integrations"
        searchPlaceholder="name, provider, reason, contact"
        columns={[
          { id: "name", header: "Integration", sortable: true },
          { id: "provider", header: "Provider", sortable: true },
          { id: "agents", header: "Used by" },
          { id: "auditDate", header: "Last audit", sortable: true },
          { id: "nextReviewAt", header: "Next review", sortable: true },
          { id: "contact", header: "Security contact" },
        ]}
        filters={[
          { id: "review", label: "Review", options: [{ value: "overdue", label: "overdue" }, { value: "due_soon", label: "due within 30 days" }, { value: "later", label: "later" }, { value: "unscheduled", label: "not scheduled" }] },
          { id: "advisory", label: "Advisory", options: [{ value: "flagged", label: "flagged" }, { value: "none", label: "none" }] },
          { id: "verified", label: "Provider", options: [{ value: "yes", label: "verified" }, { value: "no", label: "unverified" }] },
        ]}
        total={page.total}
        page={page.page}
        pageSize={page.pageSize}
        csvHref={`/api/v1/integrations?${csv}`}
        rows={page.rows.map((i) => ({
          key: i.id,
          href: `/integrations/${i.id}`,
          cells: {
            name: (
              <div>
                <p className="font-medium">
                  <Link href={`/integrations/${i.id}`} className="text-brand-600 hover:underline">{i.name}</Link>{" "}
                  {i.advisoryFlaggedAt && <Badge tone="red">advisory</Badge>}
                </p>
                <p className="text-xs text-slate-500">{i.reason}</p>
              </div>
            ),
            provider: <span>{i.provider} {i.providerVerified ? <Badge tone="green">verified</Badge> : <Badge tone="amber">unverified</Badge>}</span>,
            agents: i.agents.length ? <span className="text-xs">{i.agents.map((a) => a.name).join(", ")}</span> : <span className="text-xs text-slate-500">no agents</span>,
            auditDate: <div><p>{fmtDay(i.auditDate)}</p><p className="text-xs text-slate-500">{i.auditResult ?? ""}</p></div>,
            nextReviewAt: <div><p>{fmtDay(i.reviewDueAt)}</p><Badge tone={REVIEW_LABEL[i.reviewState][1]}>{REVIEW_LABEL[i.reviewState][0]}</Badge></div>,
            contact: i.securityContactName || i.securityContactEmail
              ? <div className="text-xs"><p>{i.securityContactName ?? ""}</p><p className="text-slate-500">{i.securityContactEmail ?? ""}</p></div>
              : <Badge tone="amber">none on file</Badge>,
          },
        }))}
        empty={
          filtered ? (
            <EmptyState title="No integrations match">
              Change the search or filters, or <Link className="text-brand-600 hover:underline" href="/integrations">show all integrations</Link>.
            </EmptyState>
          ) : (
            <EmptyState title="No integrations yet">
              Record each vendor your agents call: why you trust it, its security contact and disclosure process, its last audit, and what agents do when it fails.
              {canWrite && <> <Link className="text-brand-600 hover:underline" href="/integrations/new">Add the first integration</Link>.</>}
            </EmptyState>
          )
        }
      />
    </>
  );
}

function ReviewList({ title, items, href, emptyText, tone }: { title: string; items: { id: string; name: string; nextReviewAt: Date | null; advisoryFlaggedAt: Date | null }[]; href: string; emptyText: string; tone: Tone }) {
  return (
    <Card title={title} actions={items.length > 0 ? <Link href={href} className="text-sm text-brand-600 hover:underline">Show in list</Link> : undefined}>
      {items.length === 0 ? (
        <p className="text-sm text-slate-500">{emptyText}</p>
      ) : (
        <ul className="space-y-1 text-sm">
          {items.map((i) => (
            <li key={i.id} className="flex items-center justify-between gap-2">
              <Link href={`/integrations/${i.id}`} className="text-brand-600 hover:underline">{i.name}</Link>
              <span className="flex items-center gap-2">
                {i.advisoryFlaggedAt && <Badge tone="red">advisory</Badge>}
                <Badge tone={tone}>{fmtDay(i.nextReviewAt)}</Badge>
              </span>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
