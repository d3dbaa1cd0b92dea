import { runApiRead } from "@/lib/api";
import { recordAuditStandalone } from "@/lib/audit/record";
import { openExportBundle } from "@/lib/evidence/service";

export const dynamic = "force-dynamic";

/**
 * GET /api/v1/evidence/exports/{id}/download → the .tar.gz, streamed out of the database chunk by
 * chunk (any replica serves it). Scope evidence:export; every download is audited as
 * "evidence.download".
 */
export async function GET(_req: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return runApiRead("evidence:export", "evidence.download", async (actor) => {
    const { status, bytes, body } = await openExportBundle(id);
    await recordAuditStandalone(actor, {
      action: "evidence.download",
      targetType: "evidence_export",
      targetId: status.id,
      after: { fileName: status.fileName, bytes, manifestSha256: status.manifestSha256 },
    });
    return new Response(body, {
      headers: {
        "content-type": "application/gzip",
        "content-length": String(bytes),
        "content-disposition": `attachment; filename="${status.fileName!.replace(/[^A-Za-z0-9._-]/g, "_")}"`,
        "cache-control": "no-store",
      },
    });
  });
}
