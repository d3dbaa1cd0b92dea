import { runApiAction, runApiRead } from "@/lib/api";
import { createBundleAction } from "@/lib/tools/actions";
import { listBundles } from "@/lib/agents/queries";

export const dynamic = "force-dynamic";

export function GET() {
  return runApiRead("registry:read", "bundles", async () => ({ data: await listBundles() }));
}

/** POST /api/v1/bundles {name, description, toolIds} */
export function POST(req: Request) {
  return runApiAction(req, createBundleAction, {}, 201);
}
