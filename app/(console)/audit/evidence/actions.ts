"use server";
import { serverAction } from "@/lib/action";
import { startExportAction } from "@/lib/evidence/actions";

// A public endpoint like every server action: the shared definition checks the session, the
// evidence:export scope (denials audited) and the window, exactly like POST /api/v1/evidence/exports.
export const startExport = serverAction(startExportAction, { revalidate: "/audit/evidence" });
