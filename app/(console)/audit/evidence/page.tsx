import type { Metadata } from "next";
import Link from "next/link";
import { requireScope } from "@/lib/auth/session";
import { exportFilterOptions, listExports } from "@/lib/evidence/queries";
import { Card, PageHeader } from "@/components/ui/Card";
import { ExportForm } from "@/components/evidence/ExportForm";
import { ExportsTable } from "@/components/evidence/ExportsTable";
import { startExport } from "./actions";

export const metadata: Metadata = { title: "Evidence exports" };
export const dynamic = "force-dynamic";

/** An ISO timestamp from the query string (incident pages link here with ?from=&to=), else undefined. */
function isoParam(v: string | string[] | undefined): string | undefined {
  const s = Array.isArray(v) ? v[0] : v;
  if (!s) return undefined;
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

export default async function EvidencePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requireScope("evidence:export");
  const [sp, exports, options] = await Promise.all([searchParams, listExports(), exportFilterOptions()]);
  return (
    <>
      <PageHeader
        title="Evidence exports"
        description="A signed bundle for auditors: the hash-chained audit trail of a window, approvals, allowlists, data flows, containment actions with their deliveries, incidents, drills and every tool call (CSV, JSON lines and OCSF 1.3.0). manifest.json lists each file's SHA-256 and is signed with Warden's Ed25519 key."
        actions={
          <span className="flex gap-4 text-sm">
            <Link href="/audit/evidence/verify" className="text-brand-600 hover:underline">
              Verify a bundle
            </Link>
            <Link href="/audit" className="text-brand-600 hover:underline">
              ← Audit trail
            </Link>
          </span>
        }
      />
      <div className="space-y-6">
        <Card title="New export">
          <ExportForm action={startExport} gateways={options.gateways} agents={options.agents} initialFrom={isoParam(sp.from)} initialTo={isoParam(sp.to)} />
        </Card>
        <section aria-labelledby="exports-heading">
          <h2 id="exports-heading" className="mb-3 text-base font-semibold">
            Exports
          </h2>
          <ExportsTable key={exports.map((e) => `${e.id}:${e.state}`).join(",")} initial={exports} />
        </section>
      </div>
    </>
  );
}
