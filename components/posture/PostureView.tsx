import Link from "next/link";
import type { FleetPosture } from "@/lib/posture-domains/types";
import { PostureDomainCard } from "@/components/overview/PostureDomainCard";
import { ScoreRing } from "@/components/overview/ScoreRing";
import { STATUS_LABEL, STATUS_TONE } from "@/components/overview/status";
import { Badge } from "@/components/ui/Badge";
import { CardSlot } from "@/components/ui/CardSlot";
import { RelativeTime } from "@/components/ui/RelativeTime";

/**
 * The twelve-domain posture, streamed: the page shell arrives at once and the scores when the
 * facts are read. The overall score is the mean of every domain, all scored from one set of
 * facts, so they load (and fail) together, in their own boundary.
 */
export function PostureView({ posture }: { posture: Promise<FleetPosture> }) {
  return (
    <CardSlot title="Overall posture" lines={8}>
      <PostureBody posture={posture} />
    </CardSlot>
  );
}

async function PostureBody({ posture }: { posture: Promise<FleetPosture> }) {
  const p = await posture;
  return (
    <>
      <div className="mb-6 flex flex-wrap items-center gap-6 rounded-xl border border-slate-200 bg-white p-5 shadow-sm dark:border-slate-800 dark:bg-slate-900">
        <ScoreRing score={p.score} status={p.status} size={96} label="Overall posture score" />
        <div className="min-w-0 flex-1">
          <p className="text-lg font-semibold">
            Overall {p.status === "unknown" ? "unknown" : `${p.score} / 100`} <Badge tone={STATUS_TONE[p.status]}>{STATUS_LABEL[p.status]}</Badge>
          </p>
          <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">
            The average of the domain scores (checks passing count fully, warnings half; checks Warden cannot judge yet are left out). As of <RelativeTime at={p.generatedAt} />.
          </p>
          <ul className="mt-2 flex flex-wrap gap-2 text-sm" aria-label="Domains by status">
            {(["bad", "warn", "good", "unknown"] as const).map((s) => (
              <li key={s}>
                <Badge tone={STATUS_TONE[s]}>
                  {p.counts[s]} {STATUS_LABEL[s].toLowerCase()}
                </Badge>
              </li>
            ))}
          </ul>
        </div>
        <nav aria-label="Domains" className="w-full">
          <ul className="flex flex-wrap gap-x-4 gap-y-1 text-sm">
            {p.domains.map((d) => (
              <li key={d.id}>
                <Link href={`#${d.id}`} className="text-brand-700 underline dark:text-brand-100">
                  {d.title}
                </Link>{" "}
                <span className="text-slate-500">{d.status === "unknown" ? "–" : d.score}</span>
              </li>
            ))}
          </ul>
        </nav>
      </div>
      <div className="grid gap-4 lg:grid-cols-2 2xl:grid-cols-3">
        {p.domains.map((d) => (
          <PostureDomainCard key={d.id} domain={d} />
        ))}
      </div>
    </>
  );
}
