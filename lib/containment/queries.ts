import "server-only";
import { db } from "@/lib/db";
import { Prisma } from "@/lib/generated/prisma/client";
import type { ListResult } from "@/lib/list";
import { agentWhereOf, gatewayWhereOf, type TeamScope } from "@/lib/teams/scope";

export type DeliveryView = {
  id: string;
  kind: string;
  state: string;
  attempts: number;
  gatewayId: string;
  gatewayName: string;
  gatewayLastSeenAt: Date | null;
  createdAt: Date;
  deliveredAt: Date | null;
  ackedAt: Date | null;
  escalatedAt: Date | null;
  error: string | null;
  wsState: string | null;
  wsAt: Date | null;
  wsError: string | null;
};
export type DeliverySummary = { total: number; applied: number; pending: number; delivered: number; failed: number; timed_out: number; escalated: number };
export type ContainmentView = {
  /** active | releasing (released in Warden, not yet confirmed on every path) | released */
  id: string;
  scope: string;
  target: string;
  label: string;
  action: string;
  reason: string;
  status: string;
  source: string;
  options: Record<string, unknown>;
  affected: { gateways: { id: string; name: string }[]; agents: { id: string; name: string }[] };
  requestedBy: string | null;
  releasedBy: string | null;
  incidentId: string | null;
  createdAt: Date;
  releasedAt: Date | null;
  releaseReason: string | null;
  summary: DeliverySummary;
  releaseSummary: DeliverySummary | null;
};

const SELECT = {
  id: true,
  scope: true,
  target: true,
  action: true,
  reason: true,
  status: true,
  source: true,
  options: true,
  affected: true,
  incidentId: true,
  createdAt: true,
  releasedAt: true,
  releaseReason: true,
  releasedById: true,
  requestedBy: { select: { email: true, name: true } },
} as const;

type Row = {
  id: string;
  scope: string;
  target: string;
  action: string;
  reason: string;
  status: string;
  source: string;
  options: unknown;
  affected: unknown;
  incidentId: string | null;
  createdAt: Date;
  releasedAt: Date | null;
  releaseReason: string | null;
  releasedById: string | null;
  requestedBy: { email: string; name: string | null } | null;
};

function summarize(ds: { state: string; escalatedAt: Date | null }[]): DeliverySummary {
  const s: DeliverySummary = { total: ds.length, applied: 0, pending: 0, delivered: 0, failed: 0, timed_out: 0, escalated: 0 };
  for (const d of ds) {
    s[d.state as "applied"]++;
    if (d.escalatedAt && d.state !== "applied") s.escalated++;
  }
  return s;
}

async function shape(rows: Row[]): Promise<ContainmentView[]> {
  if (!rows.length) return [];
  const ids = rows.map((r) => r.id);
  const [deliveries, releasers] = await Promise.all([
    db.gatewayCommand.findMany({ where: { actionId: { in: ids } }, select: { actionId: true, kind: true, state: true, escalatedAt: true, wsState: true, gatewayId: true, deliveredAt: true } }),
    db.user.findMany({ where: { id: { in: rows.map((r) => r.releasedById).filter((x): x is string => !!x) } }, select: { id: true, email: true, name: true } }),
  ]);
  return rows.map((r) => {
    const mine = deliveries.filter((d) => d.actionId === r.id);
    const aff = (r.affected ?? {}) as { label?: string; gateways?: { id: string; name: string }[]; agents?: { id: string; name: string }[] };
    const rel = releasers.find((u) => u.id === r.releasedById);
    const release = mine.filter((d) => d.kind === "release");
    // "released" means access is back on every path: on each gateway, every path that applied the
    // deny (the connector, and the admin WebSocket where configured) applied the release too.
    // Until then the release is shown as "releasing".
    // A path that never received the apply (never delivered; admin WebSocket not configured, never
    // sent or failed) holds no deny to remove there.
    const confirmed = release.every((d) => {
      const apply = mine.find((x) => x.kind === "apply" && x.gatewayId === d.gatewayId);
      const connectorHeld = !apply || apply.deliveredAt !== null;
      const wsHeld = !apply || apply.wsState === "applied" || apply.wsState === "sending";
      return (!connectorHeld || d.state === "applied") && (!wsHeld || d.wsState === "applied");
    });
    return {
      id: r.id,
      scope: r.scope,
      target: r.target,
      label: aff.label ?? r.target,
      action: r.action,
      reason: r.reason,
      status: r.status === "released" && !confirmed ? "releasing" : r.status,
      source: r.source,
      options: (r.options ?? {}) as Record<string, unknown>,
      affected: { gateways: aff.gateways ?? [], agents: aff.agents ?? [] },
      requestedBy: r.requestedBy ? (r.requestedBy.name ?? r.requestedBy.email) : r.source === "manual" ? null : `warden (${r.source})`,
      releasedBy: rel ? (rel.name ?? rel.email) : null,
      incidentId: r.incidentId,
      createdAt: r.createdAt,
      releasedAt: r.releasedAt,
      releaseReason: r.releaseReason,
      summary: summarize(mine.filter((d) => d.kind === "apply")),
      releaseSummary: release.length ? summarize(release) : null,
    };
  });
}

/**
 * The kill switches a scope may see: fleet-wide, all; a team, those aimed at its agents and
 * gateways (fleet and tool switches, and other teams' targets, are not shown).
 */
async function containmentWhereOf(scope: TeamScope): Promise<Prisma.ContainmentActionWhereInput> {
  if (!scope) return {};
  const [agents, gateways] = await Promise.all([db.agent.findMany({ where: agentWhereOf(scope), select: { id: true } }), db.gateway.findMany({ where: gatewayWhereOf(scope), select: { id: true } })]);
  return {
    OR: [
      { scope: "agent", target: { in: agents.map((a) => a.id) } },
      { scope: "gateway", target: { in: gateways.map((g) => g.id) } },
    ],
  };
}

/** Active kill switches, newest first (bounded: an active list is short by nature). */
export async function listActiveContainment(scope: TeamScope = null): Promise<ContainmentView[]> {
  return shape(await db.containmentAction.findMany({ where: { status: "active", ...(await containmentWhereOf(scope)) }, orderBy: { createdAt: "desc" }, take: 200, select: SELECT }));
}

/** Released kill switches, newest first, paginated. */
export async function listContainmentHistory(page = 1, pageSize = 25, scope: TeamScope = null): Promise<ListResult<ContainmentView>> {
  const where: Prisma.ContainmentActionWhereInput = { status: "released", ...(await containmentWhereOf(scope)) };
  const [rows, total] = await Promise.all([
    db.containmentAction.findMany({ where, orderBy: { releasedAt: "desc" }, skip: (page - 1) * pageSize, take: pageSize, select: SELECT }),
    db.containmentAction.count({ where }),
  ]);
  return { rows: await shape(rows), total, page, pageSize };
}

/** One containment with every per-gateway delivery (both paths) for the detail page and the API. */
export async function getContainment(id: string, scope: TeamScope = null): Promise<(ContainmentView & { deliveries: DeliveryView[] }) | null> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
  const row = await db.containmentAction.findFirst({ where: { id, ...(await containmentWhereOf(scope)) }, select: SELECT });
  if (!row) return null;
  const [view] = await shape([row]);
  const ds = await db.gatewayCommand.findMany({
    where: { actionId: id },
    orderBy: [{ createdAt: "asc" }],
    select: {
      id: true,
      kind: true,
      state: true,
      attempts: true,
      createdAt: true,
      deliveredAt: true,
      ackedAt: true,
      escalatedAt: true,
      error: true,
      wsState: true,
      wsAt: true,
      wsError: true,
      gateway: { select: { id: true, name: true, lastSeenAt: true } },
    },
  });
  return {
    ...view,
    deliveries: ds.map((d) => ({
      id: d.id,
      kind: d.kind,
      state: d.state,
      attempts: d.attempts,
      gatewayId: d.gateway.id,
      gatewayName: d.gateway.name,
      gatewayLastSeenAt: d.gateway.lastSeenAt,
      createdAt: d.createdAt,
      deliveredAt: d.deliveredAt,
      ackedAt: d.ackedAt,
      escalatedAt: d.escalatedAt,
      error: d.error,
      wsState: d.wsState,
      wsAt: d.wsAt,
      wsError: d.wsError,
    })),
  };
}

/**
 * The rule for an escalation that still needs a person (one rule for the banners and the overview):
 * a containment command a gateway did not acknowledge in time (`timed_out`) whose answer still
 * matters. An apply matters while its kill switch is active (once released, the release supersedes
 * it); a release matters while that gateway may still hold the deny (its apply reached it over the
 * connector). A later ack turns the command `applied` and so clears it too.
 */
const OPEN_ESCALATION_SQL = Prisma.sql`
  c.state = 'timed_out' and c.type = 'containment' and (
    (c.kind = 'apply' and a.status = 'active')
    or (c.kind = 'release' and exists (
      select 1 from gateway_commands p
      where p.action_id = c.action_id and p.gateway_id = c.gateway_id and p.kind = 'apply' and p.delivered_at is not null)))`;

type SqlClient = Pick<typeof db, "$queryRaw">;

/** How many escalations are open (see OPEN_ESCALATION_SQL). */
export async function countOpenEscalations(client: SqlClient = db): Promise<number> {
  const [row] = await client.$queryRaw<{ n: number }[]>`
    select count(*)::int as n from gateway_commands c join containment_actions a on a.id = c.action_id where ${OPEN_ESCALATION_SQL}`;
  return row?.n ?? 0;
}

export type OpenEscalation = { deliveryId: string; containmentId: string; kind: string; action: string; label: string; gatewayId: string; gatewayName: string; escalatedAt: Date | null };

/**
 * The open escalations (of one kill switch, or all; newest first, at most `limit`) and what Warden did about them: how many
 * webhook endpoints are subscribed to escalations now, and how many notifications it queued and
 * delivered for these (an empty subscription list means nobody was told by webhook).
 */
export async function openEscalations(
  opts: { containmentId?: string; limit?: number } = {},
): Promise<{ total: number; items: OpenEscalation[]; webhooks: { subscribed: number; queued: number; delivered: number } }> {
  const limit = opts.limit ?? 50;
  const only = opts.containmentId ? Prisma.sql` and c.action_id = ${opts.containmentId}::uuid` : Prisma.empty;
  const [total, rows, subscribed] = await Promise.all([
    opts.containmentId
      ? db.$queryRaw<{ n: number }[]>`select count(*)::int as n from gateway_commands c join containment_actions a on a.id = c.action_id where ${OPEN_ESCALATION_SQL}${only}`.then((r) => r[0]?.n ?? 0)
      : countOpenEscalations(),
    db.$queryRaw<{ id: string; action_id: string; kind: string; action: string; label: string | null; target: string; gateway_id: string; gateway_name: string; escalated_at: Date | null }[]>`
      select c.id::text, c.action_id::text, c.kind, a.action::text, a.affected->>'label' as label, a.target, g.id::text as gateway_id, g.name as gateway_name, c.escalated_at
      from gateway_commands c join containment_actions a on a.id = c.action_id join gateways g on g.id = c.gateway_id
      where ${OPEN_ESCALATION_SQL}${only}
      order by c.escalated_at desc nulls last, c.id limit ${limit}`,
    db.webhookEndpoint.count({ where: { enabled: true, OR: [{ events: { isEmpty: true } }, { events: { has: "containment.escalated" } }] } }),
  ]);
  const ids = rows.map((r) => r.id);
  const sent = ids.length
    ? await db.$queryRaw<{ state: string; n: number }[]>`
        select state, count(*)::int as n from webhook_deliveries
        where event = 'containment.escalated' and payload->>'deliveryId' = any(${ids}::text[]) group by state`
    : [];
  return {
    total,
    items: rows.map((r) => ({
      deliveryId: r.id,
      containmentId: r.action_id,
      kind: r.kind,
      action: r.action,
      label: r.label ?? r.target,
      gatewayId: r.gateway_id,
      gatewayName: r.gateway_name,
      escalatedAt: r.escalated_at,
    })),
    webhooks: { subscribed, queued: sent.reduce((s, x) => s + x.n, 0), delivered: sent.find((x) => x.state === "delivered")?.n ?? 0 },
  };
}

/** What can be targeted, for the kill-switch form (names only). */
export async function containmentTargets(scope: TeamScope = null) {
  const [tools, agents, gateways] = await Promise.all([
    // A team cannot use tool-wide switches: no tool choices.
    scope ? Promise.resolve([]) : db.tool.findMany({ orderBy: { name: "asc" }, select: { name: true }, take: 2000 }),
    db.agent.findMany({ where: agentWhereOf(scope), orderBy: { name: "asc" }, select: { id: true, name: true, gateway: { select: { name: true } } }, take: 5000 }),
    db.gateway.findMany({ where: gatewayWhereOf(scope), orderBy: { name: "asc" }, select: { id: true, name: true } }),
  ]);
  return { tools: tools.map((t) => t.name), agents: agents.map((a) => ({ id: a.id, name: a.name, gateway: a.gateway?.name ?? null })), gateways };
}
