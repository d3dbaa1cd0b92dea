"use client";
import "@xyflow/react/dist/style.css";
import { useMemo, useRef, useState, type CSSProperties, type FocusEvent, type KeyboardEvent } from "react";
import { useRouter } from "next/navigation";
import { Background, Controls, Handle, MarkerType, MiniMap, Position, ReactFlow, type Edge, type Node, type NodeProps, type ReactFlowInstance } from "@xyflow/react";
import { LANE_WIDTH, layoutGraph, neighbourhood, NODE_HEIGHT, NODE_WIDTH, READABLE_ZOOM, UNASSIGNED_LANE } from "@/lib/map/layout";
import type { EcosystemGraph, MapNode } from "@/lib/map/schema";
import { CLASS_STYLES, EDGE_STYLES, RELATION_LABELS, RISK_STYLES, statusLabel, TYPE_LABELS, TYPE_STYLES } from "./styles";

type RecordFlowNode = Node<{ node: MapNode }, "record">;
type LaneFlowNode = Node<{ title: string; agents: number }, "lane">;
type MapFlowNode = RecordFlowNode | LaneFlowNode;

const HIDDEN_HANDLE: CSSProperties = { opacity: 0, pointerEvents: "none" };
const RISK_STROKE = { high: "#ef4444", medium: "#f59e0b", low: "#94a3b8" } as const;
const DIM_OPACITY = 0.2;
const VIEW_PAD = 16;

function RecordNode({ data: { node } }: NodeProps<RecordFlowNode>) {
  const type = TYPE_STYLES[node.type];
  const risk = RISK_STYLES[node.risk];
  const tooltip = [`${TYPE_LABELS[node.type]}: ${node.label} (${statusLabel(node.status)})`, ...node.reasons.map((r) => `• ${r}`)].join("\n");
  return (
    <div title={tooltip} className={`flex h-full w-full cursor-pointer flex-col justify-center rounded-lg border-2 px-3 py-1.5 shadow-sm transition hover:shadow-md ${type.card} ${risk.border}`}>
      <Handle type="target" position={Position.Left} isConnectable={false} style={HIDDEN_HANDLE} />
      <div className="flex items-center gap-1.5 text-xs font-semibold uppercase tracking-wide">
        <span className={`rounded px-1.5 py-0.5 ${type.chip}`}>{node.type}</span>
        <span className={`ml-auto rounded-full px-1.5 py-0.5 ${risk.badge}`}>{risk.label}</span>
      </div>
      <p data-map-label className="mt-1 truncate text-sm font-medium text-slate-900 dark:text-slate-100">
        {node.label}
      </p>
      <p className="truncate text-xs text-slate-600 dark:text-slate-400">{statusLabel(node.status)}</p>
      <Handle type="source" position={Position.Right} isConnectable={false} style={HIDDEN_HANDLE} />
    </div>
  );
}

/** A gateway's lane: a labelled box around the gateway and the agents it runs. */
function LaneNode({ data }: NodeProps<LaneFlowNode>) {
  return (
    <div className="h-full w-full rounded-xl border border-dashed border-slate-300 bg-slate-50/70 dark:border-slate-700 dark:bg-slate-800/30">
      <p className="truncate px-3.5 pt-1.5 text-xs font-semibold uppercase tracking-wide text-slate-600 dark:text-slate-400">
        {data.title} · {data.agents} agent{data.agents === 1 ? "" : "s"}
      </p>
    </div>
  );
}

const NODE_TYPES = { record: RecordNode, lane: LaneNode };
const A11Y_NODE_HINT = "Press Enter to open this record. Its links are highlighted while it has focus. The same nodes and connections are listed after the map.";

/**
 * The ecosystem map: a read-only React Flow graph grouped by gateway (a lane per gateway with
 * its agents; tools, integrations and services in columns beside them). It opens at a zoom where
 * every label reads at 12 px or more and pans instead of shrinking a large fleet. Hovering or
 * focusing a node highlights its neighbourhood and dims the rest. Clicking a node (or pressing
 * Enter on a focused one) opens its record.
 */
export function EcosystemMap({ graph }: { graph: EcosystemGraph }) {
  const router = useRouter();
  const box = useRef<HTMLDivElement>(null);
  const [active, setActive] = useState<string | null>(null);

  const { layout, byId, key, baseNodes, baseEdges } = useMemo(() => {
    const layout = layoutGraph(graph);
    const byId = new Map(graph.nodes.map((n) => [n.id, n]));
    const lanes: LaneFlowNode[] = layout.lanes.map((l) => ({
      id: l.id,
      type: "lane",
      position: { x: l.x, y: l.y },
      width: l.width,
      height: l.height,
      data: { title: l.gatewayId ? `Gateway ${byId.get(l.gatewayId)?.label ?? ""}` : "No gateway", agents: l.agentIds.length },
      focusable: false,
      selectable: false,
      zIndex: -1,
      ariaLabel: l.gatewayId ? `Lane of gateway ${byId.get(l.gatewayId)?.label}` : "Agents no gateway runs",
    }));
    const lanePos = new Map(layout.lanes.map((l) => [l.id, l]));
    const records: RecordFlowNode[] = graph.nodes.map((n) => {
      const abs = layout.positions.get(n.id) ?? { x: 0, y: 0 };
      const laneId = layout.laneOf.get(n.id);
      const lane = laneId ? lanePos.get(laneId) : undefined;
      return {
        id: n.id,
        type: "record",
        // Children of a lane are placed relative to it.
        position: lane ? { x: abs.x - lane.x, y: abs.y - lane.y } : abs,
        ...(lane ? { parentId: lane.id, extent: "parent" as const } : {}),
        width: NODE_WIDTH,
        height: NODE_HEIGHT,
        data: { node: n },
        ariaLabel: `${TYPE_LABELS[n.type]} ${n.label}, ${statusLabel(n.status)}, ${RISK_STYLES[n.risk].label}`,
      };
    });
    // A gateway → agent link is drawn by the lane itself, not by a line.
    const baseEdges: Edge[] = graph.edges
      .filter((e) => e.kind !== "runs")
      .map((e) => {
        const s = EDGE_STYLES[e.state];
        const width = e.classification ? CLASS_STYLES[e.classification].width : 1.5;
        return {
          id: e.id,
          source: e.source,
          target: e.target,
          style: { stroke: s.stroke, strokeWidth: width, strokeDasharray: s.dash },
          markerEnd: { type: MarkerType.ArrowClosed, color: s.stroke, width: 14, height: 14 },
          label: e.kind === "talks" ? `${e.calls ?? 0} calls` : e.classification,
          labelStyle: { fontSize: 12, fontWeight: 600 },
          labelBgPadding: [4, 2] as [number, number],
          labelBgBorderRadius: 4,
          ariaLabel: `${byId.get(e.source)?.label} ${RELATION_LABELS[e.kind]} ${byId.get(e.target)?.label}: ${s.label}${e.classification ? `, ${e.classification} data` : ""}${e.kind === "talks" ? `, ${e.detail ?? ""}` : ""}`,
        };
      });
    // Remount (and place the view again) when the filters change the set of nodes.
    return { layout, byId, key: graph.nodes.map((n) => n.id).join("|"), baseNodes: [...lanes, ...records] as MapFlowNode[], baseEdges };
  }, [graph]);

  // Dim everything outside the active node's neighbourhood.
  const { nodes, edges } = useMemo(() => {
    if (!active) return { nodes: baseNodes, edges: baseEdges };
    const near = neighbourhood(graph, layout, active);
    // The node itself, or a lane's gateway and agents: their links are the ones lit.
    const lane = layout.lanes.find((l) => l.id === active);
    const seeds = new Set(lane ? [...(lane.gatewayId ? [lane.gatewayId] : []), ...lane.agentIds] : [active]);
    const lit = (id: string) => near.has(id) || id === active;
    const laneLit = (id: string) => id === active || baseNodes.some((n) => n.parentId === id && near.has(n.id));
    return {
      nodes: baseNodes.map((n) => {
        const on = n.type === "lane" ? laneLit(n.id) : lit(n.id);
        return { ...n, className: on ? "map-lit" : "map-dim", style: { ...n.style, opacity: on ? 1 : DIM_OPACITY, transition: "opacity 120ms" } };
      }),
      edges: baseEdges.map((e) => {
        const on = seeds.has(e.source) || seeds.has(e.target);
        return {
          ...e,
          className: on ? "map-lit" : "map-dim",
          zIndex: on ? 1 : 0,
          style: { ...e.style, opacity: on ? 1 : DIM_OPACITY / 2, strokeWidth: Number(e.style?.strokeWidth ?? 1.5) + (on ? 1 : 0) },
        };
      }),
    };
  }, [active, baseNodes, baseEdges, graph, layout]);

  const open = (id: string | null | undefined) => {
    const n = id ? byId.get(id) : undefined;
    if (n) router.push(n.href);
  };
  const nodeIdOf = (target: EventTarget) => (target as HTMLElement).closest<HTMLElement>(".react-flow__node")?.dataset.id;
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key === "Escape") setActive(null);
    if (e.key !== "Enter") return;
    open(nodeIdOf(e.target));
  };
  const onFocus = (e: FocusEvent<HTMLDivElement>) => {
    const id = nodeIdOf(e.target);
    if (id && byId.has(id)) setActive(id);
  };
  const onBlur = (e: FocusEvent<HTMLDivElement>) => {
    if (!e.relatedTarget || !nodeIdOf(e.relatedTarget)) setActive(null);
  };

  // Open at a readable zoom: the whole map when it fits at READABLE_ZOOM, otherwise its top-left
  // part (the first gateway lanes), panning for the rest.
  const onInit = (rf: ReactFlowInstance<MapFlowNode>) => {
    const w = box.current?.clientWidth ?? 0;
    const h = box.current?.clientHeight ?? 0;
    const zoom = READABLE_ZOOM;
    const x = layout.width * zoom + 2 * VIEW_PAD <= w ? (w - layout.width * zoom) / 2 : VIEW_PAD;
    const y = layout.height * zoom + 2 * VIEW_PAD <= h ? (h - layout.height * zoom) / 2 : VIEW_PAD;
    void rf.setViewport({ x, y, zoom });
  };

  // Tall enough for the map up to 80 % of the window; a larger map pans.
  const height = Math.max(420, Math.ceil(layout.height * READABLE_ZOOM + 2 * VIEW_PAD));

  return (
    <div
      ref={box}
      data-map-layout-width={Math.max(layout.width, LANE_WIDTH)}
      style={{ height: `min(${height}px, 80vh)` }}
      onFocus={onFocus}
      onBlur={onBlur}
      onMouseLeave={() => setActive(null)}
      // React Flow's own dark palette is neutral grey; these variables match it to the console's slate.
      className="min-h-[420px] overflow-hidden rounded-xl border border-slate-200 bg-white [--xy-background-color:transparent] [--xy-edge-label-background-color:#ffffff] dark:border-slate-800 dark:bg-slate-900 dark:[--xy-controls-button-background-color:#1e293b] dark:[--xy-controls-button-background-color-hover:#334155] dark:[--xy-controls-button-border-color:#334155] dark:[--xy-edge-label-background-color:#0f172a] dark:[--xy-minimap-background-color:#0f172a]"
    >
      <ReactFlow<MapFlowNode>
        key={key}
        nodes={nodes}
        edges={edges}
        nodeTypes={NODE_TYPES}
        onInit={onInit}
        onNodeClick={(_, n) => open(n.id)}
        onNodeMouseEnter={(_, n) => setActive(n.type === "lane" && n.id === UNASSIGNED_LANE ? null : n.id)}
        onNodeMouseLeave={() => setActive(null)}
        onKeyDown={onKeyDown}
        colorMode="system"
        minZoom={0.2}
        maxZoom={1.75}
        nodesDraggable={false}
        nodesConnectable={false}
        elementsSelectable={false}
        edgesFocusable={false}
        // Let the page scroll past the map; drag to pan, zoom with the controls, pinch or ctrl + wheel.
        zoomOnScroll={false}
        preventScrolling={false}
        ariaLabelConfig={{ "node.a11yDescription.default": A11Y_NODE_HINT, "node.a11yDescription.keyboardDisabled": A11Y_NODE_HINT }}
        aria-label="Ecosystem map"
      >
        <Background gap={24} size={1} />
        <Controls showInteractive={false} fitViewOptions={{ padding: 0.05 }} aria-label="Zoom controls (fit view shows the whole map, smaller)" />
        <MiniMap<MapFlowNode>
          pannable
          zoomable
          ariaLabel="Overview of the ecosystem map"
          nodeColor={(n) => (n.type === "record" ? TYPE_STYLES[n.data.node.type].mini : "transparent")}
          nodeStrokeColor={(n) => (n.type === "record" ? RISK_STROKE[n.data.node.risk] : "#94a3b8")}
          nodeStrokeWidth={6}
          nodeBorderRadius={8}
        />
      </ReactFlow>
    </div>
  );
}
