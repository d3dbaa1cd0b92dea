import { NextResponse } from "next/server";
import { runApiRead } from "@/lib/api";
import { ZAuditFilter, listAuditEvents } from "@/lib/audit/queries";
import { fieldErrorsOf } from "@/lib/validation";

export const dynamic = "force-dynamic";

/** GET /api/v1/audit/events?q=&action=&outcome=&actor=&from=&to=&page=&pageSize= */
export async function GET(req: Request) {
  const params = Object.fromEntries(new URL(req.url).searchParams);
  const parsed = ZAuditFilter.safeParse(params);
  if (!parsed.success) return NextResponse.json({ error: { code: "invalid", message: "Invalid query.", fieldErrors: fieldErrorsOf(parsed.error) } }, { status: 400 });
  return runApiRead("audit:read", "audit.events", () => listAuditEvents(parsed.data));
}
