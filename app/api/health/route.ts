import { db } from "@/lib/db";
import { settings } from "@/lib/env";

export const dynamic = "force-dynamic";

/** Liveness + database check, no auth: 200 when the database answers, 503 otherwise. */
export async function GET() {
  const version = settings.version();
  try {
    await Promise.race([db.$queryRaw`select 1`, new Promise((_, reject) => setTimeout(() => reject(new Error("timeout")), 3000))]);
    return Response.json({ status: "ok", db: "ok", version }, { headers: { "cache-control": "no-store" } });
  } catch {
    return Response.json({ status: "degraded", db: "down", version }, { status: 503, headers: { "cache-control": "no-store" } });
  }
}
