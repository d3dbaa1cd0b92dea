/** Kill switches: clicked in the browser, delivered to (simulated) gateways, acknowledged, released, escalated. */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { auditCount, expect, makeToken, makeUser, signIn, sql, test } from "./fixtures";
import { addAgent, registerSimGateway, runSimGateway } from "./sim-gateway";

test("an operator suspends an agent from the browser; the gateway applies it; the release is applied too", async ({ page, baseURL }) => {
  const gw = await registerSimGateway(baseURL!);
  const agent = await addAgent(gw.id);
  const sim = runSimGateway(baseURL!, gw);
  try {
    await signIn(page, await makeUser("operator"));
    await page.goto("/containment");
    const card = page.getByRole("region", { name: "Blast radius" });
    await page.getByLabel("Scope").selectOption("agent");
    await page.getByLabel("Target").selectOption({ label: `${agent.name} (${gw.name})` });
    await page.getByRole("button", { name: "Review blast radius" }).click();
    await expect(page.getByText("Give a reason of at least 5 characters")).toBeVisible();
    await page.getByLabel(/^Reason/).fill("agent is exfiltrating data");
    await page.getByRole("button", { name: "Review blast radius" }).click();
    await expect(card.getByTestId("radius-gateways")).toHaveText("1");
    await expect(card.getByTestId("radius-agents")).toHaveText("1");
    const confirmBtn = card.getByRole("button", { name: "Contain now" });
    await card.getByLabel(`Type "${agent.name}" to confirm`).fill("wrong name");
    await expect(confirmBtn).toBeDisabled();
    await card.getByLabel(`Type "${agent.name}" to confirm`).fill(agent.name);
    await confirmBtn.click();

    await expect(page).toHaveURL(/\/containment\/[0-9a-f-]{36}$/);
    const id = page.url().split("/").pop()!;
    await expect(page.getByTestId(`state-${gw.name}-apply`)).toHaveText("applied", { timeout: 15_000 });
    expect(sim.seen.find((c) => c.kind === "apply")).toMatchObject({ scope: "agent", action: "suspend_agent", target: agent.id, reason: "agent is exfiltrating data" });
    expect(await auditCount({ action: "containment.apply", targetId: id })).toBe(1);

    await page.getByRole("button", { name: "Release" }).click();
    await page.getByLabel("Reason (recorded in the audit trail)").fill("false positive, verified with owner");
    await page.getByRole("button", { name: "Release on every gateway" }).click();
    await expect(page.getByTestId(`state-${gw.name}-release`)).toHaveText("applied", { timeout: 15_000 });
    await expect(page.getByText("released", { exact: true }).first()).toBeVisible();
    expect(await auditCount({ action: "containment.release", targetId: id })).toBe(1);
  } finally {
    await sim.stop();
  }
});

test("the containment API: create, read per-gateway states, validation, and role checks", async ({ baseURL }) => {
  const gw = await registerSimGateway(baseURL!);
  await addAgent(gw.id);
  const op = await makeToken(await makeUser("operator"));
  const mgr = await makeToken(await makeUser("manager"));
  const post = (token: string, body: unknown) =>
    fetch(`${baseURL}/api/v1/containment`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify(body) });
  const bad = await post(op, { scope: "gateway", target: gw.name, action: "suspend_agent", reason: "x" });
  expect(bad.status).toBe(400);
  expect((await bad.json()).error.fieldErrors).toMatchObject({ reason: expect.any(Array) });
  expect((await post(mgr, { scope: "gateway", target: gw.name, action: "cron_off", reason: "manager tries" })).status).toBe(403);

  const res = await post(op, { scope: "gateway", target: gw.name, action: "cron_off", reason: "runaway cron jobs" });
  expect(res.status).toBe(201);
  const { data } = await res.json();
  const sim = runSimGateway(baseURL!, gw);
  try {
    await expect
      .poll(
        async () => {
          const detail = await (await fetch(`${baseURL}/api/v1/containment/${data.id}`, { headers: { authorization: `Bearer ${mgr}` } })).json();
          return detail.data.deliveries.map((d: { gatewayName: string; state: string }) => `${d.gatewayName}:${d.state}`);
        },
        { timeout: 15_000 },
      )
      .toEqual([`${gw.name}:applied`]);
  } finally {
    await sim.stop();
  }
});

test("an unacknowledged command escalates: shown prominently and audited", async ({ page, baseURL }) => {
  const gw = await registerSimGateway(baseURL!); // never polls
  const op = await makeToken(await makeUser("operator"));
  const res = await fetch(`${baseURL}/api/v1/containment`, {
    method: "POST",
    headers: { authorization: `Bearer ${op}`, "content-type": "application/json" },
    body: JSON.stringify({ scope: "gateway", target: gw.id, action: "block_all", reason: "silent gateway test" }),
  });
  const { data } = await res.json();
  await signIn(page, await makeUser("auditor"));
  await page.goto(`/containment/${data.id}`);
  // The e2e server escalates after 6 s (WARDEN_CONTAINMENT_ACK_TIMEOUT_SECONDS) and checks every 5 s.
  await expect(page.getByRole("alert").filter({ hasText: `${gw.name} did not acknowledge block all` })).toBeVisible({ timeout: 25_000 });
  await expect(page.getByTestId(`state-${gw.name}-apply`)).toHaveText("timed out");
  const { rows } = await sql().query("select count(*)::int as n from audit_events where action = 'containment.escalate' and actor_type = 'system' and after->>'gateway' = $1", [gw.name]);
  expect(rows[0].n).toBe(1);
});

test("a command queued before a Warden restart is still delivered after it", async () => {
  test.setTimeout(120_000);
  const e2e = JSON.parse(fs.readFileSync(path.join(__dirname, "..", ".warden-e2e", "e2e.json"), "utf8"));
  const port = 3101 + Math.floor(Math.random() * 50);
  const other = `http://127.0.0.1:${port}`;
  const start = () => {
    const child = spawn(path.join(__dirname, "..", "node_modules", ".bin", "next"), ["start", "-p", String(port), "-H", "127.0.0.1"], {
      cwd: path.join(__dirname, ".."),
      env: {
        ...process.env,
        DATABASE_URL: e2e.appDatabaseUrl,
        WARDEN_SECRET: e2e.secret ?? "e2e-secret-e2e-secret-e2e-secret-0123",
        NEXTAUTH_SECRET: "e2e-secret-e2e-secret-e2e-secret-0123",
        NEXTAUTH_URL: other,
        WARDEN_SCHEDULER: "off",
      },
      stdio: "ignore",
    });
    return child;
  };
  const ready = async () => expect.poll(async () => (await fetch(`${other}/api/health`).catch(() => null))?.status ?? 0, { timeout: 60_000 }).toBe(200);
  let server: ChildProcess = start();
  try {
    await ready();
    const gw = await registerSimGateway(other);
    const agent = await addAgent(gw.id);
    const op = await makeToken(await makeUser("operator"));
    const res = await fetch(`${other}/api/v1/containment`, {
      method: "POST",
      headers: { authorization: `Bearer ${op}`, "content-type": "application/json" },
      body: JSON.stringify({ scope: "agent", target: agent.name, action: "suspend_agent", reason: "queued before restart" }),
    });
    expect(res.status).toBe(201);
    const { data } = await res.json();
    // Crash the server with the command still pending, then start a new process.
    server.kill("SIGKILL");
    await new Promise((r) => server.once("exit", r));
    server = start();
    await ready();
    const sim = runSimGateway(other, gw);
    try {
      await expect.poll(() => sim.seen.map((c) => `${c.action}:${c.target}`), { timeout: 15_000 }).toEqual([`suspend_agent:${agent.id}`]);
      await expect.poll(async () => (await sql().query("select state::text from gateway_commands where action_id = $1", [data.id])).rows.map((r) => r.state), { timeout: 10_000 }).toEqual(["applied"]);
    } finally {
      await sim.stop();
    }
  } finally {
    server.kill("SIGTERM");
  }
});

test("a kill switch started from an incident lands on its timeline", async ({ page, baseURL }) => {
  const gw = await registerSimGateway(baseURL!);
  const agent = await addAgent(gw.id);
  const sim = runSimGateway(baseURL!, gw);
  try {
    const op = await makeToken(await makeUser("operator"));
    const res = await fetch(`${baseURL}/api/v1/incidents`, {
      method: "POST",
      headers: { authorization: `Bearer ${op}`, "content-type": "application/json" },
      body: JSON.stringify({ title: `exfiltration by ${agent.name}`, severity: "high" }),
    });
    const incidentId = (await res.json()).data.id as string;
    await signIn(page, await makeUser("operator"));
    await page.goto(`/incidents/${incidentId}`);
    await page.getByRole("link", { name: /Contain…/ }).click();
    await expect(page.getByText(`exfiltration by ${agent.name}`)).toBeVisible();
    await page.getByLabel("Target").selectOption({ label: `${agent.name} (${gw.name})` });
    await page.getByLabel(/^Reason/).fill("contain during the incident");
    await page.getByRole("button", { name: "Review blast radius" }).click();
    await page.getByLabel(`Type "${agent.name}" to confirm`).fill(agent.name);
    await page.getByRole("button", { name: "Contain now" }).click();
    await expect(page.getByTestId(`state-${gw.name}-apply`)).toHaveText("applied", { timeout: 15_000 });
    const { rows } = await sql().query("select count(*)::int as n from containment_actions where incident_id = $1 and target = $2", [incidentId, agent.id]);
    expect(rows[0].n).toBe(1);
    await page.getByRole("link", { name: "open the incident" }).click();
    await expect(page.getByText("contain during the incident").first()).toBeVisible();
  } finally {
    await sim.stop();
  }
});
