import "server-only";
import { db } from "@/lib/db";
import type { ListResult } from "@/lib/list";

export type DeliveryView = {
  id: string; kind: string; state: string; attempts: number; gatewayId: string; gatewayName: string; gatewayLastSeenAt: Date | null;
  createdAt: Date; deliveredAt: Date | null; ackedAt: Date | null; escalatedAt: Date | null; error: string | null;
  wsState: string | null; wsAt: Date | null; wsError: string | null;
};
export type DeliverySummary = { total: number; applied: number; pending: number; delivered: number; failed: number; timed_out: number; escalated: number };
export type ContainmentView = {
  /** active | releasing (released in Warden, not yet confirmed on every path) | released */
  id: string; scope: string; target: string; label: string; action: string; reason: string; status: string; source: string;
  options: Record<string, unknown>; affected: { gateways: { id: string; name: string }[]; agents: { id: string; name: string }[] };
  requestedBy: string | null; releasedBy: string | null; incidentId: string | null;
  createdAt: Date; releasedAt: Date | null; releaseReason: string | null;
  summary: DeliverySummary; releaseSummary: DeliverySummary | null;
};

const SELECT = {
  id: true, scope: true, target: true, action: true, reason: true, status: true, source: true, options: true, affected: true, incidentId: true,
  createdAt: true, releasedAt: true, releaseReason: true, releasedById: true,
  requestedBy: { select: { email: true, name: true } },
} as const;

type Row = {
  id: string; scope: string; target: string; action: string; reason: string; status: string; source: string; options: unknown; affected: unknown; incidentId: string | null;
  createdAt: Date; releasedAt: Date | null; releaseReason: string | null; releasedById: string | null; requestedBy: { email: string; name: string | null } | null;
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
      id: r.id, scope: r.scope, target: r.target, label: aff.label ?? r.target, action: r.action, reason: r.reason, status: r.status === "released" && !confirmed ? "releasing" : r.status, source: r.source,
      options: (r.options ?? {}) as Record<string, unknown>, affected: { gateways: aff.gateways ?? [], agents: aff.agents ?? [] },
      requestedBy: r.requestedBy ? (r.requestedBy.name ?? r.requestedBy.email) : r.source === "manual" ? null : `warden (${r.source})`,
      releasedBy: rel ? (rel.name ?? rel.email) : null, incidentId: r.incidentId,
      createdAt: r.createdAt, releasedAt: r.releasedAt, releaseReason: r.releaseReason,
      summary: summarize(mine.filter((d) => d.kind === "apply")), releaseSummary: release.length ? summarize(release) : null,
    };
  });
}

/** Active kill switches, newest first (bounded: an active list is short by nature). */
export async function listActiveContainment(): Promise<ContainmentView[]> {
  return shape(await db.containmentAction.findMany({ where: { status: "active" }, orderBy: { createdAt: "desc" }, take: 200, select: SELECT }));
}

/** Released kill switches, newest first, paginated. */
export async function listContainmentHistory(page = 1, pageSize = 25): Promise<ListResult<ContainmentView>> {
  const [rows, total] = await Promise.all([
    db.containmentAction.findMany({ where: { status: "released" }, orderBy: { releasedAt: "desc" }, skip: (page - 1) * pageSize, take: pageSize, select: SELECT }),
    db.containmentAction.count({ where: { status: "released" } }),
  ]);
  return { rows: await shape(rows), total, page, pageSize };
}

/** One containment with every per-gateway delivery (both paths) for the detail page and the API. */
export async function getContainment(id: string): Promise<(ContainmentView & { deliveries: DeliveryView[] }) | null> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
  const row = await db.containmentAction.findUnique({ where: { id }, select: SELECT });
  if (!row) return null;
  const [view] = await shape([row]);
  const ds = await db.gatewayCommand.findMany({
    where: { actionId: id },
    orderBy: [{ createdAt: "asc" }],
    select: { id: true, kind: true, state: true, attempts: true, createdAt: true, deliveredAt: true, ackedAt: true, escalatedAt: true, error: true, wsState: true, wsAt: true, wsError: true, gateway: { select: { id: true, name: true, lastSeenAt: true } } },
  });
  return {
    ...view,
    deliveries: ds.map((d) => ({ id: d.id, kind: d.kind, state: d.state, attempts: d.attempts, gatewayId: d.gateway.id, gatewayName: d.gateway.name, gatewayLastSeenAt: d.gateway.lastSeenAt, createdAt: d.createdAt, deliveredAt: d.deliveredAt, ackedAt: d.ackedAt, escalatedAt: d.escalatedAt, error: d.error, wsState: d.wsState, wsAt: d.wsAt, wsError: d.wsError })),
  };
}

/** Counts for the overview and the escalation banner. */
export async function containmentCounts() {
  const [active, escalated] = await Promise.all([
    db.containmentAction.count({ where: { status: "active" } }),
    db.gatewayCommand.count({ where: { state: "timed_out" } }),
  ]);
  return { active, escalated };
}

/** What can be targeted, for the kill-switch form (names only). */
export async function containmentTargets() {
  const [tools, agents, gateways] = await Promise.all([
    db.tool.findMany({ orderBy: { name: "asc" }, select: { name: true }, take: 2000 }),
    db.agent.findMany({ orderBy: { name: "asc" }, select: { id: true, name: true, gateway: { select: { name: true } } }, take: 5000 }),
    db.gateway.findMany({ orderBy: { name: "asc" }, select: { id: true, name: true } }),
  ]);
  return { tools: tools.map((t) => t.name), agents: agents.map((a) => ({ id: a.id, name: a.name, gateway: a.gateway?.name ?? null })), gateways };
}
