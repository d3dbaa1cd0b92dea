import Link from "next/link";
import { Badge } from "@/components/ui/Badge";
import type { PostureDomain, PostureItem } from "@/lib/posture-domains/types";
import { ScoreRing } from "./ScoreRing";
import { STATUS_LABEL, STATUS_TONE } from "./status";

const ORDER = { bad: 0, warn: 1, unknown: 2, good: 3 } as const;

function Item({ item }: { item: PostureItem }) {
  return (
    <li className="py-3 first:pt-0 last:pb-0">
      <div className="flex items-start gap-2">
        <Badge tone={STATUS_TONE[item.status]}>{STATUS_LABEL[item.status]}</Badge>
        <p className="text-sm font-medium">{item.check}</p>
      </div>
      <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">{item.detail}</p>
      <p className="mt-1 text-sm">
        <span className="font-medium">Next: </span>
        {item.nextStep}{" "}
        <Link href={item.evidenceHref} className="whitespace-nowrap text-brand-700 underline dark:text-brand-100">
          Evidence<span className="sr-only"> for “{item.check}”</span> →
        </Link>
      </p>
    </li>
  );
}

/** One practice domain: its score ring, status and checks (open problems first, passing checks folded). */
export function PostureDomainCard({ domain }: { domain: PostureDomain }) {
  const items = [...domain.items].sort((a, b) => ORDER[a.status] - ORDER[b.status]);
  const open = items.filter((i) => i.status !== "good");
  const passing = items.filter((i) => i.status === "good");
  return (
    <section id={domain.id} aria-labelledby={`${domain.id}-title`} className="flex flex-col rounded-xl border border-slate-200 bg-white p-5 shadow-sm dark:border-slate-800 dark:bg-slate-900">
      <div className="mb-4 flex items-start gap-4">
        <ScoreRing score={domain.score} status={domain.status} label={`${domain.title} score`} />
        <div className="min-w-0">
          <h2 id={`${domain.id}-title`} className="text-base font-semibold">
            {domain.title} <Badge tone={STATUS_TONE[domain.status]}>{STATUS_LABEL[domain.status]}</Badge>
          </h2>
          <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">{domain.practice}</p>
        </div>
      </div>
      {open.length > 0 && (
        <ul className="divide-y divide-slate-100 dark:divide-slate-800">
          {open.map((i) => (
            <Item key={i.id} item={i} />
          ))}
        </ul>
      )}
      {passing.length > 0 && (
        <details className={open.length ? "mt-3 border-t border-slate-100 pt-3 dark:border-slate-800" : ""} open={open.length === 0}>
          <summary className="cursor-pointer text-sm text-slate-600 dark:text-slate-400">
            {passing.length} check{passing.length === 1 ? "" : "s"} passing
          </summary>
          <ul className="mt-3 divide-y divide-slate-100 dark:divide-slate-800">
            {passing.map((i) => (
              <Item key={i.id} item={i} />
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}
