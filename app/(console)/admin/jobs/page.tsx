import type { Metadata } from "next";
import { requireScope } from "@/lib/auth/session";
import { listJobs } from "@/lib/jobs/queries";
import { PageHeader } from "@/components/ui/Card";
import { JobsTable } from "@/components/jobs/JobsTable";

export const metadata: Metadata = { title: "Admin · Background jobs" };

export default async function JobsPage() {
  await requireScope("jobs:read");
  const jobs = await listJobs();
  return (
    <>
      <PageHeader
        title="Background jobs"
        description="Periodic work shared by every Warden replica on this database: each period runs on exactly one replica. A replica started with WARDEN_SCHEDULER=off takes no part. Also at GET /api/v1/jobs."
      />
      <JobsTable jobs={jobs} />
    </>
  );
}
