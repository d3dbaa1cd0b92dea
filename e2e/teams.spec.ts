/**
 * Teams as isolation boundaries, in the browser: an operator of team A sees only team A's agents
 * (list), calls (explorer) and map nodes; team B's agent page is "Not found". An admin creates a
 * team, puts an agent in it, and cannot delete it while the agent belongs to it.
 */
import { randomUUID } from "node:crypto";
import { expect, makeUser, rid, signIn, sql, test } from "./fixtures";

async function seedTeams() {
  const tag = rid();
  const [teamA, teamB, gwA, gwB, agentA, agentB] = [randomUUID(), randomUUID(), randomUUID(), randomUUID(), randomUUID(), randomUUID()];
  const names = { agentA: `alpha-${tag}`, agentB: `bravo-${tag}`, gwA: `gw-alpha-${tag}`, gwB: `gw-bravo-${tag}` };
  const tool = `probe_${tag}`;
  await sql().query("insert into teams (id, name, updated_at) values ($1,$2,now()), ($3,$4,now())", [teamA, `Team A ${tag}`, teamB, `Team B ${tag}`]);
  await sql().query("insert into gateways (id, name, kind, environment, team_id, updated_at) values ($1,$2,'openclaw','test',$3,now()), ($4,$5,'openclaw','test',$6,now())", [
    gwA,
    names.gwA,
    teamA,
    gwB,
    names.gwB,
    teamB,
  ]);
  for (const [id, name, gw, team] of [
    [agentA, names.agentA, gwA, teamA],
    [agentB, names.agentB, gwB, teamB],
  ]) {
    await sql().query("insert into agents (id, name, owner, purpose, channels, fallback_models, credential_refs, gateway_id, team_id, updated_at) values ($1,$2,'t','t','{}','{}','{}',$3,$4,now())", [
      id,
      name,
      gw,
      team,
    ]);
    await sql().query("insert into tool_calls (occurred_at, gateway_id, event_id, agent_id, agent_name, tool_name, decision, egress_hosts, team_id) values ($1,$2,$3,$4,$5,$6,'allowed','{}',$7)", [
      new Date(Date.now() - 60_000),
      gw,
      `e-${rid()}`,
      id,
      name,
      tool,
      team,
    ]);
  }
  return { tag, tool, teamA, teamB, agentAId: agentA, agentBId: agentB, ...names };
}

test("a team's operator sees only the team: agents, explorer and map; another team's agent is not found", async ({ page }) => {
  const s = await seedTeams();
  const operator = await makeUser("operator");
  await sql().query("update users set team_id = $1 where id = $2", [s.teamA, operator.id]);
  await signIn(page, operator);

  await page.goto(`/agents?q=${s.tag}`);
  await expect(page.getByRole("link", { name: s.agentA, exact: true })).toBeVisible();
  await expect(page.getByText(s.agentB)).toHaveCount(0);

  await page.goto(`/tool-calls?tool=${s.tool}`);
  await expect(page.getByText("1 row", { exact: true })).toBeVisible();
  await expect(page.locator("table").getByText(s.agentA, { exact: true }).first()).toBeVisible();
  await expect(page.getByText(s.agentB)).toHaveCount(0);

  await page.goto("/map");
  await page.getByRole("link", { name: "Read the map as a table" }).click();
  const nodes = page.getByRole("table", { name: "Nodes of the ecosystem map" });
  await expect(nodes.getByRole("link", { name: s.agentA, exact: true })).toBeVisible();
  await expect(nodes.getByText(s.agentB)).toHaveCount(0);
  await expect(nodes.getByText(s.gwB)).toHaveCount(0);

  await page.goto(`/agents/${s.agentBId}`);
  await expect(page.getByRole("heading", { name: "Not found" })).toBeVisible();
  await expect(page.getByText(s.agentB)).toHaveCount(0);
  await page.goto(`/agents/${s.agentAId}`);
  await expect(page.getByRole("heading", { name: s.agentA })).toBeVisible();
});

test("an admin creates a team, adds an agent, and cannot delete the team while the agent is in it", async ({ page }) => {
  const s = await seedTeams();
  await signIn(page, await makeUser("admin"));
  await page.goto("/teams");
  const name = `Payments ${s.tag}`;
  const form = page.getByRole("form", { name: "Create a team" });
  await form.getByLabel("Name").fill(name);
  await form.getByRole("button", { name: "Create team" }).click();
  await page.getByRole("link", { name, exact: true }).click();
  await expect(page.getByRole("heading", { name: `Team ${name}` })).toBeVisible();

  const add = page.getByRole("form", { name: "Add an agent" });
  await add.getByLabel("Agent to add").selectOption({ label: `${s.agentA} (in Team A ${s.tag})` });
  page.once("dialog", (d) => void d.accept());
  await add.getByRole("button", { name: "Add to team" }).click();
  await expect(page.getByRole("table", { name: "Agents of the team" }).getByRole("link", { name: s.agentA })).toBeVisible();

  page.once("dialog", (d) => void d.accept());
  await page.getByRole("button", { name: "Delete team" }).click();
  await expect(page.getByText(/still has 1 agent/).first()).toBeVisible();
  const [{ n }] = (await sql().query("select count(*)::int as n from teams where name = $1", [name])).rows;
  expect(n).toBe(1);
});
