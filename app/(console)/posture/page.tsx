import type { Metadata } from "next";
import { requireScope } from "@/lib/auth/session";
import { injectFault } from "@/lib/faults/inject";
import { scoreFleetPosture } from "@/lib/posture-domains/score";
import { PostureView } from "@/components/posture/PostureView";
import { PageHeader } from "@/components/ui/Card";

export const metadata: Metadata = { title: "Security posture" };

export default async function PosturePage() {
  await requireScope("dashboard:read", undefined, { fleetWide: true });
  // Not awaited here: the view streams the scores in its own boundary.
  const posture = injectFault("posture").then(() => scoreFleetPosture());
  posture.catch(() => {});
  return (
    <>
      <PageHeader
        title="Security posture"
        description="The fleet scored against the twelve practice domains of the agent-security framework, from what Warden knows: the registry, gateway inventories and security audits, findings and telemetry. Each check links to its evidence and says what to do next."
      />
      <PostureView posture={posture} />
    </>
  );
}
