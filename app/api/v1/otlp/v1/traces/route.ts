import { NextResponse } from "next/server";
import { authenticateOtlpRequest, ingestOtlpTraces, OTLP_MAX_BYTES } from "@/lib/tool-calls/otlp";

export const dynamic = "force-dynamic";

/**
 * POST /api/v1/otlp/v1/traces — OTLP/HTTP JSON trace export; the OTel GenAI `execute_tool` spans
 * are stored as tool calls. Answers per OTLP/HTTP: 200 with an ExportTraceServiceResponse.
 */
export async function POST(req: Request) {
  const auth = await authenticateOtlpRequest(req, { maxBytes: OTLP_MAX_BYTES });
  if (!auth.ok) return auth.response;
  const res = await ingestOtlpTraces(auth.value.gateway, auth.value.body);
  if (!res.ok) return res.response;
  const { rejectedSpans, errorMessage } = res.value;
  return NextResponse.json(rejectedSpans ? { partialSuccess: { rejectedSpans, errorMessage } } : {}, { status: 200, headers: { "cache-control": "no-store" } });
}
