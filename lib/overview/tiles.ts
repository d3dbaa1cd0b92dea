/**
 * The dashboard's stat tiles: each number links to the list it counts, filtered, and turns amber
 * or red when someone has to act. Pure (no database), so the page and the API agree.
 */
import type { OverviewDashboard, OverviewTile, TileTone } from "./types";

type TileInput = Omit<OverviewDashboard, "tiles">;

const n = (v: number) => v.toLocaleString("en");
const usd = (s: string) => `$${Number(s).toLocaleString("en", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const tone = (v: number, when: TileTone): TileTone => (v > 0 ? when : "default");
const plural = (v: number, one: string, many = `${one}s`) => `${n(v)} ${v === 1 ? one : many}`;

export function buildTiles(d: TileInput): OverviewTile[] {
  // Overdue includes every flagged one (an open advisory makes a re-review due at once).
  const integrationsDue = d.reviews.integrationsOverdue;
  const spendTone: TileTone = !d.spend.budget || !d.spend.budget.enabled ? "warn" : d.spend.percent === null ? "default" : d.spend.percent >= 90 ? "bad" : d.spend.percent >= 75 ? "warn" : "default";
  const incidents = d.response.incidentsOpen + d.response.incidentsContained;
  return [
    { id: "agents", label: "Agents", value: n(d.fleet.agents), href: "/agents", tone: "default", hint: `on ${plural(d.gateways.total, "gateway")}, ${plural(d.fleet.tools, "tool")} in the registry` },
    {
      id: "pending_reviews",
      label: "Pending tool reviews",
      value: n(d.reviews.pendingRequests),
      href: "/tools?review=pending",
      tone: tone(d.reviews.pendingRequests, "warn"),
      hint: "Requests waiting for a trust decision",
    },
    {
      id: "overdue_rereviews",
      label: "Overdue re-reviews",
      value: n(d.reviews.overdueReReviews),
      href: "/tools?review=overdue",
      tone: tone(d.reviews.overdueReReviews, "bad"),
      hint: "Approvals past their re-review date",
    },
    {
      id: "vendor_audits",
      label: "Vendor audits due",
      value: n(integrationsDue),
      href: "/integrations?review=overdue&sort=nextReviewAt",
      tone: d.reviews.integrationsFlagged > 0 ? "bad" : tone(d.reviews.integrationsOverdue, "warn"),
      hint: `${plural(d.reviews.integrationsOverdue, "review")} due now, ${plural(d.reviews.integrationsFlagged, "advisory", "advisories")} flagged among them`,
    },
    {
      id: "unapproved_24h",
      label: "Unapproved tool use (24 h)",
      value: n(d.calls.unapproved24h),
      href: "/findings?kind=unapproved_tool&status=open",
      tone: tone(d.calls.unapproved24h, "bad"),
      hint: `Tools used outside an agent's allowlist; ${n(d.calls.unapproved7d)} in 7 d`,
    },
    {
      id: "blocked_24h",
      label: "Blocked calls (24 h)",
      value: n(d.calls.last24h.blocked),
      href: "/tool-calls?decision=blocked&range=24h",
      tone: tone(d.calls.last24h.blocked, "warn"),
      hint: `of ${plural(d.calls.last24h.calls, "call")}`,
    },
    {
      id: "blocked_7d",
      label: "Blocked calls (7 d)",
      value: n(d.calls.last7d.blocked),
      href: "/tool-calls?decision=blocked&range=7d",
      tone: "default",
      hint: `of ${plural(d.calls.last7d.calls, "call")}`,
    },
    { id: "containment", label: "Active containment", value: n(d.response.activeContainment), href: "/containment", tone: tone(d.response.activeContainment, "warn"), hint: "Kill switches in force" },
    {
      id: "escalations",
      label: "Escalations",
      value: n(d.response.escalations),
      href: "/containment",
      tone: tone(d.response.escalations, "bad"),
      hint: "Commands a gateway did not acknowledge in time",
    },
    {
      id: "incidents",
      label: "Open incidents",
      value: n(incidents),
      href: "/incidents?status=open",
      tone: d.response.incidentsOpen > 0 ? "bad" : tone(d.response.incidentsContained, "warn"),
      hint: `${n(d.response.incidentsOpen)} open, ${n(d.response.incidentsContained)} contained`,
    },
    {
      id: "spend",
      label: "Spend today",
      value: usd(d.spend.todayUsd),
      href: "/spend",
      tone: spendTone,
      hint: !d.spend.budget
        ? "No fleet budget set"
        : !d.spend.budget.enabled
          ? `Fleet budget ${usd(d.spend.budget.dailyUsd)} is disabled`
          : `${d.spend.percent ?? 0}% of the ${usd(d.spend.budget.dailyUsd)} fleet budget`,
    },
    {
      id: "drills",
      label: "Playbooks not drilled (90 d)",
      value: n(d.playbooks.drillDue),
      href: "/playbooks?drill=due",
      tone: d.playbooks.total === 0 ? "bad" : tone(d.playbooks.drillDue, "warn"),
      hint: d.playbooks.total === 0 ? "No playbooks yet" : `of ${plural(d.playbooks.total, "playbook")}`,
    },
    {
      id: "gateways_stale",
      label: "Gateways not seen",
      value: n(d.gateways.notSeen),
      href: "/gateways",
      tone: tone(d.gateways.notSeen, "bad"),
      hint: `silent > ${d.gateways.staleAfterMinutes} min, of ${plural(d.gateways.total, "gateway")}`,
    },
  ];
}
