import Link from "next/link";
import { Card } from "@/components/ui/Card";

type Summary = { team: string | null; agents: number; suspended: number; gateways: number; calls24h: number; blocked24h: number; openFindings: number };

/** The overview of a team-scoped user: their team's numbers, each opening the list behind it. */
export function TeamOverview({ s }: { s: Summary }) {
  const tiles: { label: string; value: number; href: string; hint?: string }[] = [
    { label: "Agents", value: s.agents, href: "/agents", hint: s.suspended ? `${s.suspended} suspended or quarantined` : undefined },
    { label: "Gateways", value: s.gateways, href: "/gateways" },
    { label: "Tool calls (24 h)", value: s.calls24h, href: "/tool-calls?range=24h" },
    { label: "Blocked calls (24 h)", value: s.blocked24h, href: "/tool-calls?range=24h&decision=blocked" },
    { label: "Open findings", value: s.openFindings, href: "/findings?status=open" },
  ];
  return (
    <Card title={`Team ${s.team ?? ""}`}>
      <p className="mb-4 text-sm text-slate-600 dark:text-slate-300">
        Your account is limited to this team: every list, the map and the explorer show its agents and gateways only. Fleet-wide views (posture, spend, the audit log) are for admins and auditors.
      </p>
      <dl className="grid gap-4 sm:grid-cols-3 lg:grid-cols-5">
        {tiles.map((t) => (
          <div key={t.label} className="rounded-lg border border-slate-200 p-3 dark:border-slate-800">
            <dt className="text-xs text-slate-500">{t.label}</dt>
            <dd className="text-2xl font-semibold">
              <Link href={t.href} className="hover:underline">
                {t.value.toLocaleString("en")}
              </Link>
            </dd>
            {t.hint && <dd className="text-xs text-amber-700 dark:text-amber-300">{t.hint}</dd>}
          </div>
        ))}
      </dl>
    </Card>
  );
}
