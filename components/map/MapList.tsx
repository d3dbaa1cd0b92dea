import Link from "next/link";
import type { EcosystemGraph, MapEdge, MapNode } from "@/lib/map/schema";
import { APPROVAL_STATES, type ApprovalState } from "@/lib/map/schema";
import { DataTable } from "@/components/ui/DataTable";
import { Badge } from "@/components/ui/Badge";
import { RelativeTime } from "@/components/ui/RelativeTime";
import { CLASS_STYLES, EDGE_STYLES, RELATION_LABELS, RISK_STYLES, STATE_TONE, statusLabel, TYPE_LABELS } from "./styles";

const RISK_TONE = { high: "red", medium: "amber", low: "green" } as const;
const RISK_SORT = { high: 0, medium: 1, low: 2 } as const;

function NodeLink({ node }: { node: MapNode | undefined }) {
  if (!node) return <span>—</span>;
  return (
    <Link href={node.href} className="font-medium text-brand-600 hover:underline dark:text-brand-100">
      {node.label}
    </Link>
  );
}

function StateBadge({ edge }: { edge: MapEdge }) {
  const tone = (APPROVAL_STATES as readonly string[]).includes(edge.state) ? STATE_TONE[edge.state as ApprovalState] : edge.state === "active" ? "gray" : "red";
  return <Badge tone={tone}>{EDGE_STYLES[edge.state].label}</Badge>;
}

/**
 * The map as two tables (nodes, then connections): the way to read it with a keyboard or a
 * screen reader, and the place for details that do not fit on a node.
 */
export function MapList({ graph }: { graph: EcosystemGraph }) {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  return (
    <section aria-labelledby="map-list" className="mt-8 space-y-4">
      <div>
        <h2 id="map-list" className="text-lg font-semibold">
          The map as a list
        </h2>
        <p className="text-sm text-slate-600 dark:text-slate-400">
          The same {graph.nodes.length} nodes and {graph.edges.length} connections, with the reasons behind each risk.
        </p>
      </div>
      <DataTable
        caption="Nodes of the ecosystem map"
        columns={[
          { id: "name", header: "Name" },
          { id: "type", header: "Type" },
          { id: "status", header: "Status" },
          { id: "risk", header: "Risk" },
          { id: "details", header: "Details" },
        ]}
        rows={graph.nodes.map((n) => ({
          key: n.id,
          cells: {
            name: <NodeLink node={n} />,
            type: TYPE_LABELS[n.type],
            status: statusLabel(n.status),
            risk: (
              <div>
                <Badge tone={RISK_TONE[n.risk]}>{RISK_STYLES[n.risk].label}</Badge>
                {n.reasons.length > 0 && (
                  <ul className="mt-1 list-disc pl-4 text-xs text-slate-600 dark:text-slate-400">
                    {n.reasons.map((r) => (
                      <li key={r}>{r}</li>
                    ))}
                  </ul>
                )}
              </div>
            ),
            details: (
              <dl className="grid grid-cols-[auto_1fr] gap-x-2 text-xs">
                {Object.entries(n.meta).map(([k, v]) => (
                  <div key={k} className="contents">
                    <dt className="text-slate-500">{k}</dt>
                    <dd>{v}</dd>
                  </div>
                ))}
                {Object.entries(n.times ?? {}).map(([k, v]) => (
                  <div key={k} className="contents">
                    <dt className="text-slate-500">{k}</dt>
                    <dd>{v ? <RelativeTime at={v} /> : "never"}</dd>
                  </div>
                ))}
              </dl>
            ),
          },
          sort: { name: n.label, type: n.type, status: n.status, risk: RISK_SORT[n.risk] },
        }))}
      />
      <DataTable
        caption="Connections of the ecosystem map"
        columns={[
          { id: "from", header: "From" },
          { id: "relation", header: "Relation" },
          { id: "to", header: "To" },
          { id: "state", header: "State" },
          { id: "details", header: "Details" },
        ]}
        rows={graph.edges.map((e) => {
          const from = byId.get(e.source);
          const to = byId.get(e.target);
          return {
            key: e.id,
            cells: {
              from: <NodeLink node={from} />,
              relation: RELATION_LABELS[e.kind],
              to: <NodeLink node={to} />,
              state: <StateBadge edge={e} />,
              details: (
                <div className="space-y-1 text-xs">
                  {e.classification && <span className={`inline-flex rounded-full px-2 py-0.5 font-medium ${CLASS_STYLES[e.classification].badge}`}>{e.classification} data</span>}
                  {e.via && <p>via {e.via.join(", ")}</p>}
                  {e.detail && (
                    <p className="text-slate-600 dark:text-slate-400">
                      {e.detail}
                      {e.lastAt && (
                        <>
                          , last <RelativeTime at={e.lastAt} />
                        </>
                      )}
                    </p>
                  )}
                </div>
              ),
            },
            sort: { from: from?.label ?? "", relation: e.kind, to: to?.label ?? "", state: e.state, details: e.classification ?? "" },
          };
        })}
      />
    </section>
  );
}
