import { queryParams, runApiRead } from "@/lib/api";
import { AppError } from "@/lib/errors";
import { ZEgressFormat } from "@/lib/data-flows/schema";
import { buildEgressPolicy, renderEgressPolicy } from "@/lib/data-flows/queries";

export const dynamic = "force-dynamic";

/**
 * GET /api/v1/data-flows/egress-policy?format=yaml|json[&agent=<name>]
 * The approved data flows as an egress allowlist in the shape of a NemoClaw network policy
 * (allowed_domains fleet-wide and per agent). Scope registry:read.
 */
export async function GET(req: Request) {
  return runApiRead("registry:read", "data_flows.egress_policy", async () => {
    const params = queryParams(req);
    const format = ZEgressFormat.safeParse(params.get("format") ?? undefined);
    const agent = params.get("agent")?.trim() || undefined;
    if (!format.success) throw new AppError("invalid", "format must be yaml or json.", { format: ["yaml or json."] });
    if (agent && agent.length > 120) throw new AppError("invalid", "Invalid query.", { agent: ["At most 120 characters."] });
    const { body, contentType, filename } = renderEgressPolicy(await buildEgressPolicy({ agent }), format.data);
    return new Response(body, { headers: { "content-type": contentType, "content-disposition": `inline; filename="${filename}"`, "cache-control": "no-store" } });
  });
}
