/**
 * The incident-response console through the browser: playbooks and drills, incidents, spend
 * budgets and outbound webhooks. Each test seeds its own rows and checks the UI, the database and
 * the audit trail. (Incidents offer no kill switch of their own — containment links back to an
 * incident, not the other way — so there is nothing to click for that here.)
 */
import { createHmac, randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { fmtDuration } from "../lib/playbooks/drill";
import { auditCount, expect, makeUser, rid, signIn, sql, test } from "./fixtures";

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

/** A gateway and an agent on it, inserted directly. */
async function seedAgent(prefix: string) {
  const gatewayId = randomUUID();
  const agentId = randomUUID();
  const agentName = `${prefix}-${rid()}`;
  await sql().query("insert into gateways (id, name, kind, environment, updated_at) values ($1,$2,'openclaw','e2e',now())", [gatewayId, `gw-${rid()}`]);
  await sql().query("insert into agents (id, name, owner, purpose, channels, fallback_models, credential_refs, gateway_id, updated_at) values ($1,$2,'e2e','e2e test agent','{}','{}','{}',$3,now())", [
    agentId,
    agentName,
    gatewayId,
  ]);
  return { gatewayId, agentId, agentName };
}

test("a security lead writes a playbook; an operator drills it; the drill is saved and nothing is contained", async ({ page }) => {
  const { agentId, agentName } = await seedAgent("pb-agent");
  const name = `Compromised vendor ${rid()}`;
  const breakGlass = `Emergency keys in vault ${rid()}; on-call holds the gateway stop script`;

  await signIn(page, await makeUser("security_lead"));
  await page.goto("/playbooks");
  await page.getByRole("link", { name: "New playbook" }).click();
  await expect(page).toHaveURL(/\/playbooks\/new$/);
  const form = page.getByRole("form", { name: "New playbook" });
  await form.getByRole("group", { name: "Playbook", exact: true }).getByLabel("Name").fill(name);
  await form.getByLabel("Fires on").selectOption("manual");

  await form.getByRole("button", { name: "Add detection step" }).click();
  const detection = form.getByRole("listitem", { name: "Detection step 1" });
  await detection.getByLabel("Step 1: title").fill("Confirm the advisory with the vendor");

  await form.getByRole("button", { name: "Add containment step" }).click();
  const containment = form.getByRole("listitem", { name: "Containment step 1" });
  await containment.getByLabel("Step 1: title").fill("Suspend the agent that uses the vendor");
  await containment.getByLabel("Automated action (optional)").selectOption({ label: "Suspend agent" });
  await containment.getByLabel("Target").fill(agentName);

  await form.getByRole("button", { name: "Add contact" }).click();
  const contacts = form.getByRole("group", { name: "Contacts" });
  await contacts.getByLabel("Kind").selectOption("vendor");
  await contacts.getByLabel("Name").fill("Vendor security desk");
  await contacts.getByLabel("Email").fill("security@vendor.example");

  await form.getByLabel("How to act when Warden or a gateway is unreachable").fill(breakGlass);
  await form.getByRole("button", { name: "Create playbook" }).click();

  await expect(page).toHaveURL(new RegExp(`/playbooks/${UUID.source}$`));
  const playbookId = page.url().split("/").pop()!;
  await expect(page.getByRole("heading", { name })).toBeVisible();
  await expect(page.getByText(breakGlass)).toBeVisible();
  await expect(page.getByText("Vendor security desk")).toBeVisible();
  const pb = await sql().query("select trigger::text as trigger, (select count(*)::int from playbook_steps s where s.playbook_id = p.id) as steps from playbooks p where id = $1", [playbookId]);
  expect(pb.rows).toEqual([{ trigger: "manual", steps: 2 }]);
  expect(await auditCount({ action: "playbook.create", targetId: playbookId })).toBe(1);

  await page.goto(`/playbooks?q=${encodeURIComponent(name)}`);
  const listRow = page.getByRole("row", { name: new RegExp(name) });
  await expect(listRow).toContainText("never drilled");
  await expect(listRow).toContainText("Manual");

  // The operator runs the drill.
  await page.context().clearCookies();
  const operator = await makeUser("operator");
  await signIn(page, operator);
  await page.goto(`/playbooks/${playbookId}`);
  await page.getByRole("link", { name: "Run a drill" }).click();
  await expect(page).toHaveURL(new RegExp(`/playbooks/${playbookId}/drill$`));
  await expect(page.getByText(/automated when fired: suspend agent/)).toBeVisible();
  await page.getByRole("button", { name: "Start drill" }).click();
  await expect(page.getByText("0 / 2 steps")).toBeVisible();
  await page.getByRole("button", { name: /^Done/ }).click();
  await expect(page.getByText("1 / 2 steps")).toBeVisible();
  await page.getByRole("button", { name: /^Done/ }).click();
  const review = page.getByRole("region", { name: "Save the drill" });
  await expect(review).toContainText("2 done, 0 skipped, 0 failed");
  await review.getByRole("button", { name: "Save drill" }).click();
  await expect(page.getByText("Drill saved.")).toBeVisible();

  const drills = await sql().query("select run_by_id, started_at, time_to_contain_ms from drills where playbook_id = $1", [playbookId]);
  expect(drills.rows).toHaveLength(1);
  expect(drills.rows[0].run_by_id).toBe(operator.id);
  expect(drills.rows[0].time_to_contain_ms).not.toBeNull();
  expect(await auditCount({ action: "playbook.drill", targetId: playbookId })).toBe(1);
  // A drill rehearses: no kill switch, the agent is untouched.
  const contained = await sql().query("select count(*)::int as n from containment_actions where target in ($1, $2)", [agentId, agentName]);
  expect(contained.rows[0].n).toBe(0);
  const agent = await sql().query("select status::text as status from agents where id = $1", [agentId]);
  expect(agent.rows[0].status).toBe("active");

  await page.getByRole("status").getByRole("link", { name: "Back to the playbook" }).click();
  await expect(page).toHaveURL(new RegExp(`/playbooks/${playbookId}$`));
  const day = (drills.rows[0].started_at as Date).toISOString().slice(0, 10);
  const ttc = fmtDuration(drills.rows[0].time_to_contain_ms);
  const facts = page.locator("dl").filter({ hasText: "Time to contain (last drill)" });
  await expect(facts).toContainText(day);
  await expect(facts).toContainText(ttc);
  await expect(facts.getByText("drilled", { exact: true })).toBeVisible();
  await expect(page.getByRole("table", { name: "Drills of this playbook, newest first" })).toContainText("2 done · 0 skipped · 0 failed");

  await page.goto(`/playbooks?q=${encodeURIComponent(name)}`);
  await expect(listRow.locator("time")).toHaveAttribute("title", new RegExp(`^${day} `)); // "just now", the exact UTC time on hover
  await expect(listRow).toContainText(ttc);
  await expect(listRow).not.toContainText("never drilled");
});

test("an operator runs a manual playbook by hand: it says what will run, asks why, opens the incident and suspends the agent", async ({ page }) => {
  const { agentId, agentName } = await seedAgent("run-agent");
  const playbookId = randomUUID();
  const name = `Run by hand ${rid()}`;
  await sql().query("insert into playbooks (id, name, trigger, trigger_config, updated_at) values ($1, $2, 'manual', '{\"severity\": \"critical\"}', now())", [playbookId, name]);
  await sql().query(
    `insert into playbook_steps (id, playbook_id, phase, position, title, action) values
       (gen_random_uuid(), $1, 'detection', 1, 'Confirm with the vendor', null),
       (gen_random_uuid(), $1, 'containment', 2, 'Suspend the agent', $2::jsonb)`,
    [playbookId, JSON.stringify({ type: "suspend_agent", target: agentName })],
  );

  // A security lead writes playbooks but does not flip kill switches: no button, a reason why.
  await signIn(page, await makeUser("security_lead"));
  await page.goto(`/playbooks/${playbookId}`);
  await expect(page.getByText("Running a playbook by hand may flip kill switches")).toBeVisible();
  await expect(page.getByRole("button", { name: "Run now…" })).toHaveCount(0);

  await page.context().clearCookies();
  const operator = await makeUser("operator");
  await signIn(page, operator);
  await page.goto(`/playbooks/${playbookId}`);
  await page.getByRole("button", { name: "Run now…" }).click();
  const panel = page.getByRole("group", { name: "Run now…" });
  await expect(panel).toContainText("runs its automated action at once");
  await expect(panel.getByRole("listitem")).toHaveText([`Suspend agent: ${agentName} (Suspend the agent)`]);
  const confirm = panel.getByRole("button", { name: "Confirm: run playbook" });
  await expect(confirm).toBeDisabled(); // a reason is required
  const reason = `Vendor phoned about a leaked token ${rid()}`;
  await panel.getByLabel(/^Reason/).fill(reason);
  await confirm.click();

  await expect(page).toHaveURL(new RegExp(`/incidents/${UUID.source}$`));
  const incidentId = page.url().split("/").pop()!;
  await expect(page.getByText(`Playbook ${name} fired: run by hand by ${operator.email}: ${reason}`)).toBeVisible();
  await expect(page.getByText(/Playbook step “Suspend the agent”: suspend agent .* — done/)).toBeVisible();

  const incident = await sql().query("select playbook_id, severity::text as severity, status::text as status from incidents where id = $1", [incidentId]);
  expect(incident.rows).toEqual([{ playbook_id: playbookId, severity: "critical", status: "open" }]);
  const contained = await sql().query("select scope::text as scope, action, source, incident_id from containment_actions where target = $1", [agentId]);
  expect(contained.rows).toEqual([{ scope: "agent", action: "suspend_agent", source: "playbook", incident_id: incidentId }]);
  expect(await auditCount({ action: "playbook.fire", targetId: playbookId })).toBe(1);
});

test("an operator opens an incident, adds a note and contains it; a manager can only read it", async ({ page }) => {
  const title = `Vendor reports leaked keys ${rid()}`;
  const note = `Rotated the vendor key at ${rid()}`;

  await signIn(page, await makeUser("operator"));
  await page.goto("/incidents");
  await page.getByRole("link", { name: "Open incident" }).click();
  await expect(page).toHaveURL(/\/incidents\/new$/);
  await page.getByRole("button", { name: "Open incident" }).click();
  await expect(page.locator("#incident-title-error")).toBeVisible(); // a title is required
  await page.getByLabel("Title").fill(title);
  await page.getByLabel("Severity").selectOption("critical");
  await page.getByLabel("Summary").fill("The vendor emailed about leaked API keys.");
  await page.getByRole("button", { name: "Open incident" }).click();

  await expect(page).toHaveURL(new RegExp(`/incidents/${UUID.source}$`));
  const id = page.url().split("/").pop()!;
  await expect(page.getByRole("heading", { name: title })).toBeVisible();
  const timeline = page.getByRole("list", { name: "Incident timeline" });
  await expect(timeline).toContainText("Incident opened (critical)");

  await page.getByLabel("Note", { exact: true }).fill(note);
  await page.getByRole("button", { name: "Add note" }).click();
  await expect(page.getByText("Note added.")).toBeVisible();
  await expect(timeline).toContainText(note);

  await page.getByLabel("Status", { exact: true }).selectOption("contained");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByText("Saved.", { exact: true })).toBeVisible();
  await expect(timeline).toContainText("Status: open → contained");

  const row = await sql().query("select title, severity::text as severity, status::text as status from incidents where id = $1", [id]);
  expect(row.rows).toEqual([{ title, severity: "critical", status: "contained" }]);
  const events = await sql().query("select kind from incident_events where incident_id = $1 order by at, id", [id]);
  expect(events.rows.map((r) => r.kind)).toEqual(["opened", "note", "status"]);
  expect(await auditCount({ action: "incident.open", targetId: id })).toBe(1);
  expect(await auditCount({ action: "incident.note", targetId: id })).toBe(1);
  expect(await auditCount({ action: "incident.update", targetId: id })).toBe(1);

  await page.goto(`/incidents?q=${encodeURIComponent(title)}`);
  await expect(page.getByRole("row", { name: new RegExp(title) })).toContainText("contained");

  // A manager reads everything and changes nothing.
  await page.context().clearCookies();
  await signIn(page, await makeUser("manager"));
  await page.goto("/incidents");
  await expect(page.getByRole("heading", { name: "Incidents" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Open incident" })).toHaveCount(0);
  await page.goto(`/incidents/${id}`);
  await expect(page.getByRole("heading", { name: title })).toBeVisible();
  await expect(timeline).toContainText(note);
  await expect(timeline).toContainText("Status: open → contained");
  await expect(page.getByText("Read only: your role cannot change incidents.")).toBeVisible();
  await expect(page.getByRole("button", { name: "Add note" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Save changes" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: /post-mortem/i })).toHaveCount(0);
  await expect(page.getByLabel("Status", { exact: true })).toHaveCount(0);
  await expect(page.getByRole("form", { name: "Add a note" })).toHaveCount(0);
  await expect(page.getByRole("form", { name: "Incident status, severity and owner" })).toHaveCount(0);
});

test("a security lead sets an agent's daily budget and sees spend against it; a manager only reads", async ({ page }) => {
  const { gatewayId, agentId, agentName } = await seedAgent("spender");
  // Three calls today costing $3.75 in all.
  for (const cost of ["1.250000", "2.000000", "0.500000"]) {
    await sql().query(
      "insert into tool_calls (occurred_at, gateway_id, event_id, agent_id, agent_name, tool_name, decision, egress_hosts, tokens_in, tokens_out, cost_usd) values (now() - interval '1 second', $1, $2, $3, $4, 'web_fetch', 'allowed', '{}', 1000, 200, $5)",
      [gatewayId, `e-${rid()}`, agentId, agentName, cost],
    );
  }

  await signIn(page, await makeUser("security_lead"));
  await page.goto("/spend");
  const row = page.getByRole("row", { name: new RegExp(agentName) });
  await expect(row).toContainText("$3.75");
  await expect(row).toContainText("none");

  await expect(page.getByRole("heading", { name: "Set a budget for an agent" })).toBeVisible();
  const newBudget = page.getByRole("form", { name: "Agent budget" }).filter({ has: page.locator("#new-agent") });
  await newBudget.getByLabel("Agent", { exact: true }).selectOption({ label: agentName });
  await newBudget.getByLabel("Daily budget (USD)").fill("abc");
  await newBudget.getByRole("button", { name: "Set budget" }).click();
  await expect(newBudget.locator("#new-usd-error")).toBeVisible();
  await newBudget.getByLabel("Daily budget (USD)").fill("10.00");
  await newBudget.getByLabel("At 100 %").selectOption({ label: "Notify only" });
  await newBudget.getByRole("button", { name: "Set budget" }).click();

  await expect(row).toContainText("$10.00");
  await expect(row).toContainText("37.5 %");
  await expect(row.getByRole("meter", { name: `${agentName}: spend today against its budget` })).toHaveAttribute("aria-valuetext", "37.5 % of the daily budget");
  const budget = await sql().query("select id, daily_usd::text as daily, on_limit, enabled from budgets where agent_id = $1", [agentId]);
  expect(budget.rows).toEqual([{ id: expect.any(String), daily: "10.00", on_limit: "notify", enabled: true }]);
  expect(await auditCount({ action: "budget.set", targetId: budget.rows[0].id })).toBe(1);

  await page.context().clearCookies();
  await signIn(page, await makeUser("manager"));
  await page.goto("/spend");
  await expect(row).toContainText("$3.75");
  await expect(row).toContainText("$10.00");
  await expect(row).toContainText("37.5 %");
  await expect(page.getByRole("heading", { name: "Set a budget for an agent" })).toHaveCount(0);
  await expect(page.getByLabel("Daily budget (USD)")).toHaveCount(0);
  await expect(page.getByRole("form", { name: /budget/ })).toHaveCount(0);
  await expect(page.getByRole("button", { name: /^(Set|Save|Delete) budget/ })).toHaveCount(0);
  await expect(page.getByText("Set a fleet budget")).toHaveCount(0);
});

test("a security lead adds a webhook endpoint: secret shown once, a signed test is delivered; bad URLs are refused", async ({ page }) => {
  const received: { headers: http.IncomingHttpHeaders; body: string; url: string }[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      received.push({ headers: req.headers, body, url: req.url ?? "" });
      res.writeHead(200, { "content-type": "text/plain" }).end("ok");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  const name = `hook-${rid()}`;
  const path = `/receiver/${rid()}`;
  let endpointId: string | null = null;
  try {
    await signIn(page, await makeUser("security_lead"));
    await page.goto("/admin/webhooks");
    const form = page.getByRole("form", { name: "Add a webhook endpoint" });

    // The cloud metadata address is refused with a field error, and nothing is stored.
    const badName = `bad-${rid()}`;
    await form.getByLabel("Name", { exact: true }).fill(badName);
    await form.getByLabel("URL", { exact: true }).fill("http://169.254.169.254/latest");
    await form.getByRole("button", { name: "Create endpoint" }).click();
    await expect(form.locator("#new-webhook-url-error")).toContainText("link-local");
    await expect(form.getByText("This webhook URL is not allowed.")).toBeVisible();
    expect((await sql().query("select count(*)::int as n from webhook_endpoints where name = $1", [badName])).rows[0].n).toBe(0);

    await form.getByLabel("Name", { exact: true }).fill(name);
    await form.getByLabel("URL", { exact: true }).fill(`http://127.0.0.1:${port}${path}`);
    await form.getByLabel(/review\.overdue/).check();
    await form.getByRole("button", { name: "Create endpoint" }).click();
    await expect(form.getByText(`Created ${name}.`)).toBeVisible();
    const secret = (await form.getByTestId("webhook-secret").textContent())!.trim();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/=]{20,}$/);
    const ep = await sql().query("select id, events from webhook_endpoints where name = $1", [name]);
    expect(ep.rows).toEqual([{ id: expect.any(String), events: ["review.overdue"] }]);
    endpointId = ep.rows[0].id as string;
    expect(await auditCount({ action: "webhook.create", targetId: endpointId })).toBe(1);

    // Shown once: gone after a reload, and neither the secret nor the URL's path is in the page.
    await page.reload();
    await expect(page.getByTestId("webhook-secret")).toHaveCount(0);
    const endpointRow = page.getByRole("table", { name: "Webhook endpoints" }).getByRole("row", { name: new RegExp(name) });
    await expect(endpointRow).toContainText(`127.0.0.1:${port}`);
    await expect(endpointRow).toContainText("review.overdue");
    const html = await page.content();
    const raw = await (await page.request.get("/admin/webhooks")).text();
    for (const text of [html, raw]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(secret.slice("whsec_".length));
      expect(text).not.toContain(path);
    }

    await endpointRow.getByRole("button", { name: "Send test" }).click();
    await expect(page.getByText(`Test queued for ${name}; see the delivery log below.`)).toBeVisible();
    await expect.poll(() => received.length, { timeout: 15_000 }).toBeGreaterThan(0);
    const got = received[0];
    expect(got.url).toBe(path);
    const id = String(got.headers["webhook-id"]);
    const ts = String(got.headers["webhook-timestamp"]);
    expect(Math.abs(Number(ts) - Date.now() / 1000)).toBeLessThan(120);
    const expected = createHmac("sha256", Buffer.from(secret.slice("whsec_".length), "base64"))
      .update(`${id}.${ts}.${got.body}`)
      .digest("base64");
    const signatures = String(got.headers["webhook-signature"]).split(" ");
    expect(signatures).toContain(`v1,${expected}`);
    // A signature made with another key does not match (the check above can fail).
    const wrong = createHmac("sha256", Buffer.from("not-the-secret")).update(`${id}.${ts}.${got.body}`).digest("base64");
    expect(signatures).not.toContain(`v1,${wrong}`);
    expect(JSON.parse(got.body)).toMatchObject({ type: "webhook.test" });
    const delivery = await sql().query("select id, event from webhook_deliveries where endpoint_id = $1", [endpointId]);
    expect(delivery.rows).toEqual([{ id, event: "webhook.test" }]);

    const logRow = page.getByRole("table", { name: "Webhook deliveries, newest first" }).getByRole("row", { name: new RegExp(name) });
    await expect(async () => {
      await page.reload();
      await expect(logRow).toContainText("delivered", { timeout: 1_000 });
    }).toPass({ timeout: 15_000 });
    await expect(logRow).toContainText("webhook.test");
    await expect(logRow).toContainText("HTTP 200");
    await expect(endpointRow).toContainText("delivered");
    expect((await sql().query("select state, last_status from webhook_deliveries where id = $1", [id])).rows).toEqual([{ state: "delivered", last_status: 200 }]);
  } finally {
    if (endpointId) await sql().query("delete from webhook_endpoints where id = $1", [endpointId]);
    await new Promise((r) => server.close(r));
  }
});
