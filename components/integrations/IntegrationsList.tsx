import Link from "next/link";
import type { ListView } from "@/lib/list";
import { ListPage } from "@/components/ui/ListPage";
import { Badge, type Tone } from "@/components/ui/Badge";
import { Card, PageHeader } from "@/components/ui/Card";
import { RelativeTime } from "@/components/ui/RelativeTime";
import { fmtCount } from "@/components/ui/format";

type ReviewState = "overdue" | "due_soon" | "later" | "unscheduled";
/** What a row of the integrations list shows. */
export type IntegrationListRow = {
  id: string;
  name: string;
  reason: string;
  provider: string;
  providerVerified: boolean;
  advisoryFlaggedAt: Date | null;
  agents: { name: string }[];
  auditDate: Date | null;
  auditResult: string | null;
  nextReviewAt: Date | null;
  reviewDueAt: Date | null;
  reviewState: ReviewState;
  securityContactName: string | null;
  securityContactEmail: string | null;
};

const REVIEW_LABEL: Record<ReviewState, [string, Tone]> = {
  overdue: ["overdue", "red"],
  due_soon: ["due soon", "amber"],
  later: ["scheduled", "green"],
  unscheduled: ["not scheduled", "gray"],
};

type QueueItem = { id: string; name: string; nextReviewAt: Date | null; advisoryFlaggedAt: Date | null };
type Queue = { overdue: QueueItem[]; dueSoon: QueueItem[]; overdueTotal: number; dueSoonTotal: number };

/** The integrations registry: the review queue on top, then every vendor with its trust decision. */
export function IntegrationsList({ rows, view, queue, canWrite }: { rows: IntegrationListRow[]; view: ListView; queue: Queue; canWrite: boolean }) {
  return (
    <>
      <PageHeader
        title="Integrations"
        description="Vendors and partners your agents depend on: the trust decision, the last audit, who to call when they are breached, and what agents fall back to. Reviews are quarterly."
        actions={
          canWrite ? (
            <Link href="/integrations/new" className="rounded-md bg-brand-600 px-3 py-2 text-sm font-medium text-white hover:bg-brand-700">
              New integration
            </Link>
          ) : undefined
        }
      />
      <div className="mb-6 grid gap-4 md:grid-cols-2">
        <ReviewList title={`Reviews overdue (${fmtCount(queue.overdueTotal)})`} items={queue.overdue} href="/integrations?review=overdue&sort=nextReviewAt" emptyText="Nothing overdue." tone="red" />
        <ReviewList
          title={`Reviews due within 30 days (${fmtCount(queue.dueSoonTotal)})`}
          items={queue.dueSoon}
          href="/integrations?review=due_soon&sort=nextReviewAt"
          emptyText="Nothing due in the next 30 days."
          tone="amber"
        />
      </div>
      <ListPage
        caption="Integrations"
        noun="integrations"
        basePath="/integrations"
        view={view}
        csvPath="/api/v1/integrations"
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
          {
            id: "review",
            label: "Review",
            options: [
              { value: "overdue", label: "overdue" },
              { value: "due_soon", label: "due within 30 days" },
              { value: "later", label: "later" },
              { value: "unscheduled", label: "not scheduled" },
            ],
          },
          {
            id: "advisory",
            label: "Advisory",
            options: [
              { value: "flagged", label: "flagged" },
              { value: "none", label: "none" },
            ],
          },
          {
            id: "verified",
            label: "Provider",
            options: [
              { value: "yes", label: "verified" },
              { value: "no", label: "unverified" },
            ],
          },
        ]}
        rows={rows.map((i) => ({
          key: i.id,
          href: `/integrations/${i.id}`,
          cells: {
            name: (
              <div>
                <p className="font-medium">
                  <Link href={`/integrations/${i.id}`} className="text-brand-600 hover:underline">
                    {i.name}
                  </Link>{" "}
                  {i.advisoryFlaggedAt && <Badge tone="red">advisory</Badge>}
                </p>
                <p className="text-xs text-slate-500">{i.reason}</p>
              </div>
            ),
            provider: (
              <span>
                {i.provider} {i.providerVerified ? <Badge tone="green">verified</Badge> : <Badge tone="amber">unverified</Badge>}
              </span>
            ),
            agents: i.agents.length ? <span className="text-xs">{i.agents.map((a) => a.name).join(", ")}</span> : <span className="text-xs text-slate-500">no agents</span>,
            auditDate: (
              <div>
                <p>
                  <RelativeTime at={i.auditDate} />
                </p>
                <p className="text-xs text-slate-500">{i.auditResult ?? ""}</p>
              </div>
            ),
            nextReviewAt: (
              <div>
                <p>
                  <RelativeTime at={i.reviewDueAt} />
                </p>
                <Badge tone={REVIEW_LABEL[i.reviewState][1]}>{REVIEW_LABEL[i.reviewState][0]}</Badge>
              </div>
            ),
            contact:
              i.securityContactName || i.securityContactEmail ? (
                <div className="text-xs">
                  <p>{i.securityContactName ?? ""}</p>
                  <p className="text-slate-500">{i.securityContactEmail ?? ""}</p>
                </div>
              ) : (
                <Badge tone="amber">none on file</Badge>
              ),
          },
        }))}
        empty={{
          title: "No integrations yet",
          body: "Record each vendor your agents call: why you trust it, its security contact and disclosure process, its last audit, and what agents do when it fails.",
          action: canWrite ? { href: "/integrations/new", label: "Add the first integration" } : null,
        }}
      />
    </>
  );
}

function ReviewList({ title, items, href, emptyText, tone }: { title: string; items: QueueItem[]; href: string; emptyText: string; tone: Tone }) {
  return (
    <Card
      title={title}
      actions={
        items.length > 0 ? (
          <Link href={href} className="text-sm text-brand-600 hover:underline">
            Show in list
          </Link>
        ) : undefined
      }
    >
      {items.length === 0 ? (
        <p className="text-sm text-slate-500">{emptyText}</p>
      ) : (
        <ul className="space-y-1 text-sm">
          {items.map((i) => (
            <li key={i.id} className="flex items-center justify-between gap-2">
              <Link href={`/integrations/${i.id}`} className="text-brand-600 hover:underline">
                {i.name}
              </Link>
              <span className="flex items-center gap-2">
                {i.advisoryFlaggedAt && <Badge tone="red">advisory</Badge>}
                <Badge tone={tone}>
                  <RelativeTime at={i.nextReviewAt} />
                </Badge>
              </span>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
