import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { Readable } from "node:stream";
import { runApiRead } from "@/lib/api";
import { recordAuditStandalone } from "@/lib/audit/record";
import { AppError } from "@/lib/errors";
import { getExportStatus } from "@/lib/evidence/service";
import { bundlePath } from "@/lib/evidence/store";

export const dynamic = "force-dynamic";

/**
 * GET /api/v1/evidence/exports/{id}/download → the .tar.gz, streamed from disk. Scope
 * evidence:export; every download is audited as "evidence.download".
 */
export async function GET(_req: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return runApiRead("evidence:export", "evidence.download", async (actor) => {
    const status = await getExportStatus(id);
    const file = await bundlePath(status);
    if (!file) throw new AppError("conflict", status.state === "done" ? "The bundle file is gone from the data folder." : `The export is ${status.state}; nothing to download yet.`);
    const { size } = await stat(file);
    await recordAuditStandalone(actor, { action: "evidence.download", targetType: "evidence_export", targetId: status.id, after: { fileName: status.fileName, bytes: size, manifestSha256: status.manifestSha256 } });
    const body = Readable.toWeb(createReadStream(file)) as ReadableStream<Uint8Array>;
    return new Response(body, {
      headers: {
        "content-type": "application/gzip",
        "content-length": String(size),
        "content-disposition": `attachment; filename="${status.fileName!.replace(/[^A-Za-z0-9._-]/g, "_")}"`,
        "cache-control": "no-store",
      },
    });
  });
}
