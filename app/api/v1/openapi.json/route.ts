import { NextResponse } from "next/server";
import { openApiDocument } from "@/lib/openapi/spec";

export const dynamic = "force-dynamic";

/**
 * GET /api/v1/openapi.json: the OpenAPI 3.1 reference of this API, generated from the route
 * registry (lib/openapi/routes.ts) and the zod schemas the handlers validate with. Public, like the
 * repository's docs/api.md: it describes the API, it holds no data.
 */
export function GET() {
  return NextResponse.json(openApiDocument(), { headers: { "cache-control": "public, max-age=300" } });
}
