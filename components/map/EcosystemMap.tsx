"use client";
import "@xyflow/react/dist/style.css";
import { useMemo, type CSSProperties, type KeyboardEvent } from "react";
import { useRouter } from "next/navigation";
import { Background, Controls, Handle, MarkerType, MiniMap, Position, ReactFlow, type Edge, type Node, type NodeProps } from "@xyflow/react";
import { layoutGraph, NODE_HEIGHT, NODE_WIDTH } from "@/lib/map/layout";
import type { EcosystemGraph, MapNode } from "@/lib/map/schema";
import { CLASS_STYLES, EDGE_STYLES, RELATION_LABELS, RISK_STYLES, statusLabel, TYPE_LABELS, TYPE_STYLES } from "./styles";

type MapFlowNode = Node<{ node: MapNode }, "record">;

const HIDDEN_HANDLE: CSSProperties = { opacity: 0, pointerEvents: "none" };
const RISK_STROKE = { high: "#ef4444", medium: "#f59e0b", low: "#94a3b8" } as const;

function RecordNode({ data: { node } }: NodeProps<MapFlowNode>) {
  const type = TYPE_STYLES[node.type];
  const risk = RISK_STYLES[node.risk];
  const tooltip = [`${TYPE_LABELS[node.type]}: ${node.label} (${statusLabel(node.status)})`, ...node.reasons.map((r) => `• ${r}`)].join("\n");
  return (
    <div title={tooltip} className={`flex h-full w-full cursor-pointer flex-col justify-center rounded-lg border-2 px-3 py-1.5 shadow-sm transition hover:shadow-md ${type.card} ${risk.border}`}>
      <Handle type="target" position={Position.Left} isConnectable={false} style={HIDDEN_HANDLE} />
      <div className="flex items-center gap-1.5 text-[10px] font-semibold uppercase tracking-wide">
        <span className={`rounded px-1.5 py-0.5 ${type.chip}`}>{node.type}</span>
        <span className={`ml-auto rounded-full px-1.5 py-0.5 ${risk.badge}`}>{risk.label}</span>
      </div>
      <p className="mt-1 truncate text-sm font-medium text-slate-900 dark:text-slate-100">{node.label}</p>
      <p className="truncate text-xs text-slate-600 dark:text-slate-400">{statusLabel(node.status)}</p>
      <Handle type="source" position={Position.Right} isConnectable={false} style={HIDDEN_HANDLE} />
    </div>
  );
}

const NODE_TYPES = { record: RecordNode };
const A11Y_NODE_HINT = "Press Enter to open this record. The same nodes and connections are listed after the map.";

/**
 * The ecosystem map: a read-only React Flow graph laid out left to right by dagre. Clicking a
 * node (or pressing Enter on a focused node) opens its record.
 */
export function EcosystemMap({ graph }: { graph: EcosystemGraph }) {
  const router = useRouter();
  const { nodes, edges, byId, key } = useMemo(() => {
    const positions = layoutGraph(graph);
    const byId = new Map(graph.nodes.map((n) => [n.id, n]));
    const nodes: MapFlowNode[] = graph.nodes.map((n) => ({
      id: n.id,
      type: "record",
      position: positions.get(n.id) ?? { x: 0, y: 0 },
      width: NODE_WIDTH,
      height: NODE_HEIGHT,
      data: { node: n },
      ariaLabel: `${TYPE_LABELS[n.type]} ${n.label}, ${statusLabel(n.status)}, ${RISK_STYLES[n.risk].label}`,
    }));
    const edges: Edge[] = graph.edges.map((e) => {
      const s = EDGE_STYLES[e.state];
      const width = e.classification ? CLASS_STYLES[e.classification].width : 1.5;
      return {
        id: e.id,
        source: e.source,
        target: e.target,
        style: { stroke: s.stroke, strokeWidth: width, strokeDasharray: s.dash },
        markerEnd: { type: MarkerType.ArrowClosed, color: s.stroke, width: 14, height: 14 },
        label: e.kind === "talks" ? `${e.calls ?? 0} calls` : e.classification,
        labelStyle: { fontSize: 10, fontWeight: 600 },
        labelBgPadding: [4, 2] as [number, number],
        labelBgBorderRadius: 4,
        ariaLabel: `${byId.get(e.source)?.label} ${RELATION_LABELS[e.kind]} ${byId.get(e.target)?.label}: ${s.label}${e.classification ? `, ${e.classification} data` : ""}${e.kind === "talks" ? `, ${e.detail ?? ""}` : ""}`,
      };
    });
    // Remount (and fit the view again) when the filters change the set of nodes.
    return { nodes, edges, byId, key: graph.nodes.map((n) => n.id).join("|") };
  }, [graph]);

  const open = (id: string | null | undefined) => {
    const n = id ? byId.get(id) : undefined;
    if (n) router.push(n.href);
  };
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key !== "Enter") return;
    const el = (e.target as HTMLElement).closest<HTMLElement>(".react-flow__node");
    if (el) open(el.dataset.id);
  };

  return (
    <div
      // React Flow's own dark palette is neutral grey; these variables match it to the console's slate.
      className="h-[70vh] min-h-[420px] overflow-hidden rounded-xl border border-slate-200 bg-white [--xy-background-color:transparent] [--xy-edge-label-background-color:#ffffff] dark:border-slate-800 dark:bg-slate-900 dark:[--xy-controls-button-background-color:#1e293b] dark:[--xy-controls-button-background-color-hover:#334155] dark:[--xy-controls-button-border-color:#334155] dark:[--xy-edge-label-background-color:#0f172a] dark:[--xy-minimap-background-color:#0f172a]"
    >
      <ReactFlow<MapFlowNode>
        key={key}
        nodes={nodes}
        edges={edges}
        nodeTypes={NODE_TYPES}
        onNodeClick={(_, n) => open(n.id)}
        onKeyDown={onKeyDown}
        colorMode="system"
        fitView
        fitViewOptions={{ padding: 0.08 }}
        minZoom={0.1}
        maxZoom={1.75}
        nodesDraggable={false}
        nodesConnectable={false}
        elementsSelectable={false}
        edgesFocusable={false}
        // Let the page scroll past the map; zoom with the controls, pinch or ctrl + wheel.
        zoomOnScroll={false}
        preventScrolling={false}
        ariaLabelConfig={{ "node.a11yDescription.default": A11Y_NODE_HINT, "node.a11yDescription.keyboardDisabled": A11Y_NODE_HINT }}
        aria-label="Ecosystem map"
      >
        <Background gap={24} size={1} />
        <Controls showInteractive={false} />
        <MiniMap<MapFlowNode>
          pannable
          zoomable
          ariaLabel="Overview of the ecosystem map"
          nodeColor={(n) => TYPE_STYLES[n.data.node.type].mini}
          nodeStrokeColor={(n) => RISK_STROKE[n.data.node.risk]}
          nodeStrokeWidth={6}
          nodeBorderRadius={8}
        />
      </ReactFlow>
    </div>
  );
}
