import type { EcosystemGraph, MapNodeType } from "./schema";

/** Size of a record node on the map (React Flow units; at zoom 1 one unit is one CSS pixel). */
export const NODE_WIDTH = 232;
export const NODE_HEIGHT = 84;
/**
 * The smallest text on a node is 12 px (the type chip and the status line), so at this zoom
 * every label reads at 12 px or more. The map opens at it (or closer) and pans rather than
 * shrinking a large fleet to fit; "fit view" in the controls zooms out on request.
 */
export const READABLE_ZOOM = 1;

const LANE_PAD = 14;
const LANE_HEADER = 30;
const LANE_GAP = 28;
const ROW_GAP = 14;
const COLUMN_GAP = 110;
/** Tools, integrations and services sit in columns beside the gateway lanes, in this order. */
const SIDE_COLUMNS: MapNodeType[] = ["tool", "integration", "service"];

export const LANE_WIDTH = NODE_WIDTH + 2 * LANE_PAD;
/** Id of the lane of agents that no gateway runs. */
export const UNASSIGNED_LANE = "lane:none";

export type MapLane = {
  /** `lane:<gateway node id>`, or UNASSIGNED_LANE. */
  id: string;
  /** The gateway node drawn at the top of the lane (null for the unassigned lane). */
  gatewayId: string | null;
  /** Agent node ids in the lane, top to bottom. */
  agentIds: string[];
  x: number;
  y: number;
  width: number;
  height: number;
};

export type MapLayout = {
  lanes: MapLane[];
  /** Top-left corner of every node, in map coordinates (not relative to its lane). */
  positions: Map<string, { x: number; y: number }>;
  /** The lane an agent or gateway node sits in. */
  laneOf: Map<string, string>;
  width: number;
  height: number;
};

/**
 * Group by gateway: one lane per gateway (the gateway on top, the agents it runs below it, and
 * a last lane for agents no gateway runs), stacked top to bottom; tools, integrations and external
 * services in columns beside the lanes, each column ordered so a node sits near the agents that
 * use it (the mean height of its agents), without overlaps. Deterministic for a given graph.
 */
export function layoutGraph(graph: EcosystemGraph): MapLayout {
  const positions = new Map<string, { x: number; y: number }>();
  const laneOf = new Map<string, string>();
  const lanes: MapLane[] = [];
  const gatewayOfAgent = new Map<string, string>();
  const ids = new Set(graph.nodes.map((n) => n.id));
  for (const e of graph.edges) if (e.kind === "runs" && ids.has(e.source) && ids.has(e.target)) gatewayOfAgent.set(e.target, e.source);

  let y = 0;
  const addLane = (id: string, gatewayId: string | null, agentIds: string[]) => {
    const rows = (gatewayId ? 1 : 0) + agentIds.length;
    const height = LANE_HEADER + LANE_PAD + Math.max(rows, 1) * NODE_HEIGHT + Math.max(rows - 1, 0) * ROW_GAP;
    let rowY = y + LANE_HEADER;
    for (const nodeId of gatewayId ? [gatewayId, ...agentIds] : agentIds) {
      positions.set(nodeId, { x: LANE_PAD, y: rowY });
      laneOf.set(nodeId, id);
      rowY += NODE_HEIGHT + ROW_GAP;
    }
    lanes.push({ id, gatewayId, agentIds, x: 0, y, width: LANE_WIDTH, height });
    y += height + LANE_GAP;
  };
  const agents = graph.nodes.filter((n) => n.type === "agent");
  for (const g of graph.nodes.filter((n) => n.type === "gateway")) {
    addLane(
      `lane:${g.id}`,
      g.id,
      agents.filter((a) => gatewayOfAgent.get(a.id) === g.id).map((a) => a.id),
    );
  }
  const unassigned = agents.filter((a) => !gatewayOfAgent.has(a.id)).map((a) => a.id);
  if (unassigned.length) addLane(UNASSIGNED_LANE, null, unassigned);
  let height = Math.max(y - LANE_GAP, 0);

  // Side columns: a node wants to sit level with the agents linked to it.
  const linked = new Map<string, string[]>();
  for (const e of graph.edges) {
    if (e.kind === "runs" || e.kind === "talks") continue;
    linked.set(e.target, [...(linked.get(e.target) ?? []), e.source]);
  }
  let x = LANE_WIDTH + COLUMN_GAP;
  for (const type of SIDE_COLUMNS) {
    const column = graph.nodes.filter((n) => n.type === type);
    if (!column.length) continue;
    const wanted = new Map(
      column.map((n) => {
        const ys = (linked.get(n.id) ?? []).map((a) => positions.get(a)?.y).filter((v): v is number => v !== undefined);
        return [n.id, ys.length ? ys.reduce((s, v) => s + v, 0) / ys.length : Number.POSITIVE_INFINITY];
      }),
    );
    column.sort((a, b) => wanted.get(a.id)! - wanted.get(b.id)! || a.label.localeCompare(b.label));
    let next = LANE_HEADER;
    for (const n of column) {
      const w = wanted.get(n.id)!;
      const top = Math.max(next, Number.isFinite(w) ? w : next);
      positions.set(n.id, { x, y: top });
      next = top + NODE_HEIGHT + ROW_GAP;
    }
    height = Math.max(height, next - ROW_GAP);
    x += NODE_WIDTH + COLUMN_GAP;
  }
  const width = x === LANE_WIDTH + COLUMN_GAP ? LANE_WIDTH : x - COLUMN_GAP;
  return { lanes, positions, laneOf, width, height };
}

/**
 * The neighbourhood of a node: itself and every node one link away (a gateway's agents, an
 * agent's gateway, tools, integrations, services and peer agents). For a lane, its gateway and
 * agents and their links.
 */
export function neighbourhood(graph: EcosystemGraph, layout: MapLayout, id: string): Set<string> {
  const lane = layout.lanes.find((l) => l.id === id);
  const seeds = lane ? [...(lane.gatewayId ? [lane.gatewayId] : []), ...lane.agentIds] : [id];
  const out = new Set<string>(seeds);
  for (const e of graph.edges) {
    if (seeds.includes(e.source)) out.add(e.target);
    if (seeds.includes(e.target)) out.add(e.source);
  }
  return out;
}
