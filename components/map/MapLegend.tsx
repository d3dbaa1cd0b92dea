import { CLASSIFICATIONS, NODE_TYPES, RISKS } from "@/lib/map/schema";
import { CLASS_STYLES, EDGE_STYLES, LEGEND_EDGE_STATES, RISK_STYLES, TYPE_LABELS, TYPE_STYLES } from "./styles";

function Line({ stroke, dash, width = 2 }: { stroke: string; dash?: string; width?: number }) {
  return (
    <svg width="28" height="10" aria-hidden className="shrink-0">
      <line x1="1" y1="5" x2="27" y2="5" stroke={stroke} strokeWidth={width} strokeDasharray={dash} />
    </svg>
  );
}

/** What the colours, borders and lines of the ecosystem map mean, and how risk is decided. */
export function MapLegend() {
  return (
    <section aria-labelledby="map-legend" className="mb-3 rounded-xl border border-slate-200 bg-white p-3 text-xs dark:border-slate-800 dark:bg-slate-900">
      <h2 id="map-legend" className="sr-only">
        Legend
      </h2>
      <div className="flex flex-wrap gap-x-6 gap-y-2">
        <ul className="flex flex-wrap items-center gap-x-3 gap-y-1" aria-label="Node types">
          {NODE_TYPES.map((t) => (
            <li key={t} className="flex items-center gap-1.5">
              <span aria-hidden className={`inline-block h-3 w-3 rounded-sm ${TYPE_STYLES[t].swatch}`} />
              {TYPE_LABELS[t]}
            </li>
          ))}
        </ul>
        <ul className="flex flex-wrap items-center gap-x-3 gap-y-1" aria-label="Risk (node border)">
          {[...RISKS].reverse().map((r) => (
            <li key={r} className="flex items-center gap-1.5">
              <span aria-hidden className={`inline-block h-3 w-5 rounded-sm border-2 bg-transparent ${RISK_STYLES[r].border}`} />
              {RISK_STYLES[r].label}
            </li>
          ))}
        </ul>
        <ul className="flex flex-wrap items-center gap-x-3 gap-y-1" aria-label="Link state (line colour)">
          {LEGEND_EDGE_STATES.map((s) => (
            <li key={s} className="flex items-center gap-1.5">
              <Line stroke={EDGE_STYLES[s].stroke} dash={EDGE_STYLES[s].dash} />
              {EDGE_STYLES[s].label}
            </li>
          ))}
        </ul>
        <ul className="flex flex-wrap items-center gap-x-3 gap-y-1" aria-label="Data classification (line width of data flows)">
          {CLASSIFICATIONS.map((c) => (
            <li key={c} className="flex items-center gap-1.5">
              <Line stroke="#94a3b8" width={CLASS_STYLES[c].width} />
              {c}
            </li>
          ))}
        </ul>
      </div>
      <details className="mt-2">
        <summary className="cursor-pointer text-slate-600 hover:underline dark:text-slate-400">How risk is decided</summary>
        <ul className="mt-2 list-disc space-y-1 pl-5 text-slate-700 dark:text-slate-300">
          <li>
            <strong>High:</strong> a tool in use that is rejected, revoked or never reviewed, or has a security advisory; an integration that is advisory-flagged, rejected, revoked or never reviewed;
            restricted data sent without an approved flow; an external-facing agent that can run commands.
          </li>
          <li>
            <strong>Medium:</strong> an overdue re-review; an unverified tool publisher or integration provider; confidential data sent, or restricted data under an approved flow.
          </li>
          <li>
            <strong>Low:</strong> everything else. Agents take the highest risk of what they touch, services of the flows that reach them, gateways of the agents they run.
          </li>
        </ul>
      </details>
    </section>
  );
}
