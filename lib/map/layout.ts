import dagre from "@dagrejs/dagre";
import type { EcosystemGraph, MapEdgeKind } from "./schema";

export const NODE_WIDTH = 220;
export const NODE_HEIGHT = 72;

// Integrations and services sit one column right of tools so the last column does not get too tall.
const MIN_LEN: Record<MapEdgeKind, number> = { runs: 1, allowed: 1, uses: 2, sends: 2, talks: 0 };

/**
 * Left-to-right positions (top-left corners, as React Flow expects) computed by dagre:
 * gateways → agents → tools → integrations and services.
 */
export function layoutGraph(graph: EcosystemGraph): Map<string, { x: number; y: number }> {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: "LR", nodesep: 18, ranksep: 80, marginx: 16, marginy: 16 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of graph.nodes) g.setNode(n.id, { width: NODE_WIDTH, height: NODE_HEIGHT });
  // Agent → agent edges do not shape the layout: agents stay in their column.
  for (const e of graph.edges) if (e.kind !== "talks" && g.hasNode(e.source) && g.hasNode(e.target)) g.setEdge(e.source, e.target, { minlen: MIN_LEN[e.kind] });
  dagre.layout(g);
  const positions = new Map<string, { x: number; y: number }>();
  for (const n of graph.nodes) {
    const p = g.node(n.id);
    positions.set(n.id, { x: p.x - NODE_WIDTH / 2, y: p.y - NODE_HEIGHT / 2 });
  }
  return positions;
}
