import type { PostureStatus } from "@/lib/posture-domains/types";
import { STATUS_COLOR, STATUS_LABEL } from "./status";

/** A 0–100 score as a ring (plain SVG, no client code). Unknown shows a dash. */
export function ScoreRing({ score, status, size = 64, label }: { score: number; status: PostureStatus; size?: number; label: string }) {
  const stroke = Math.max(4, Math.round(size / 10));
  const r = (size - stroke) / 2;
  const c = 2 * Math.PI * r;
  const shown = status === "unknown" ? 0 : Math.min(100, Math.max(0, score));
  return (
    <svg
      width={size}
      height={size}
      viewBox={`0 0 ${size} ${size}`}
      role="img"
      aria-label={`${label}: ${status === "unknown" ? "unknown" : `${shown} out of 100`}, ${STATUS_LABEL[status].toLowerCase()}`}
      className="shrink-0"
    >
      <circle cx={size / 2} cy={size / 2} r={r} fill="none" stroke="currentColor" strokeOpacity={0.12} strokeWidth={stroke} />
      <circle
        cx={size / 2}
        cy={size / 2}
        r={r}
        fill="none"
        stroke={STATUS_COLOR[status]}
        strokeWidth={stroke}
        strokeLinecap="round"
        strokeDasharray={`${(shown / 100) * c} ${c}`}
        transform={`rotate(-90 ${size / 2} ${size / 2})`}
      />
      <text x="50%" y="50%" dominantBaseline="central" textAnchor="middle" className="fill-current font-semibold tabular-nums" fontSize={size / 3.6}>
        {status === "unknown" ? "–" : shown}
      </text>
    </svg>
  );
}
