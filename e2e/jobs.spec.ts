import { expect, makeUser, rid, signIn, sql, test } from "./fixtures";

const JOBS = ["approval-expiry", "audit-checkpoint", "containment-escalation", "findings", "playbook-triggers", "spend-breaker", "tool-call-partitions", "webhook-dispatch"];

test("an admin sees every background job: last run, which replica, next run; a failure shows its error", async ({ page }) => {
  // A job no replica runs, as a failed run would leave it (the real jobs succeed on this server).
  const failing = `e2e-failing-${rid()}`;
  await sql().query(
    `insert into background_jobs (name, every_ms, timeout_ms, next_run_at, runs, last_started_at, last_finished_at, last_ok, last_error, last_replica)
     values ($1, 60000, 60000, now() + interval '1 minute', 3, now(), now(), false, 'receiver said no: [REDACTED]', 'replica-b:42:beef')`,
    [failing],
  );
  await signIn(page, await makeUser("admin"));
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Background jobs" }).click();
  await expect(page).toHaveURL(/\/admin\/jobs$/);
  await expect(page.getByRole("heading", { name: "Background jobs" })).toBeVisible();
  // The server started with the scheduler on: each job registered and ran once at start.
  for (const name of JOBS) {
    const row = page.locator(`tr[data-job="${name}"]`);
    await expect(row).toBeVisible();
    await expect(row.getByText("ok", { exact: true }).or(row.getByText("running", { exact: true }))).toBeVisible();
    await expect(row.getByText("never", { exact: true })).toHaveCount(0);
  }
  await expect(page.locator('tr[data-job="webhook-dispatch"]').getByText("every 2 s")).toBeVisible();
  const bad = page.locator(`tr[data-job="${failing}"]`);
  await expect(bad.getByText("failed", { exact: true })).toBeVisible();
  await expect(bad.getByText("receiver said no: [REDACTED]")).toBeVisible();
  await expect(bad.getByText("replica-b:42:beef")).toBeVisible();
});

test("the API lists the jobs for auditors; the page is not in an operator's navigation", async ({ page }) => {
  const auditor = await makeUser("auditor");
  await signIn(page, auditor);
  const res = await page.request.get("/api/v1/jobs");
  expect(res.status()).toBe(200);
  const { data } = await res.json();
  expect(data.map((j: { name: string }) => j.name)).toEqual(expect.arrayContaining(JOBS));
  for (const j of data.filter((x: { name: string }) => JOBS.includes(x.name))) {
    expect(j.runs).toBeGreaterThan(0);
    expect(typeof j.lastReplica).toBe("string");
    expect(Date.parse(j.nextRunAt)).not.toBeNaN();
  }
  const operator = await page.context().browser()!.newContext();
  const p2 = await operator.newPage();
  await signIn(p2, await makeUser("operator"));
  await expect(p2.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Background jobs" })).toHaveCount(0);
  expect((await p2.request.get("/api/v1/jobs")).status()).toBe(403);
  await operator.close();
});
