/** Registry exports over HTTP: CSV of the current view (formula-safe) and the egress policy. */
import { request as pwRequest } from "@playwright/test";
import YAML from "yaml";
import { expect, makeToken, makeUser, rid, test } from "./fixtures";

test("integration CSV neutralises formulas; the egress policy lists only approved hosts", async ({ baseURL }) => {
  const lead = await makeUser("security_lead");
  const api = await pwRequest.newContext({ baseURL, extraHTTPHeaders: { Authorization: `Bearer ${await makeToken(lead)}` } });
  const name = `csv-${rid()}`;
  expect((await api.post("/api/v1/integrations", { data: { name, provider: "Evil Corp", reason: '=HYPERLINK("http://x.example","click")', permissions: [] } })).status()).toBe(201);
  const csv = await api.get(`/api/v1/integrations?format=csv&q=${name}`);
  expect(csv.headers()["content-type"]).toContain("text/csv");
  const text = await csv.text();
  expect(text).toContain(name);
  expect(text).toContain(`"'=HYPERLINK`);
  expect(text).not.toMatch(/(^|,)=HYPERLINK/m);

  const agents = await (await api.get("/api/v1/agents?q=seo-research")).json();
  const agentId = agents.data[0].id;
  const host = `api-${rid()}.example.com`;
  const proposed = `p-${rid()}.example.com`;
  const flow = await (await api.post("/api/v1/data-flows", { data: { agentId, service: "Approved API", host, dataSent: "keywords", dataReceived: "rankings", classification: "internal" } })).json();
  await api.post("/api/v1/data-flows", { data: { agentId, service: "Proposed API", host: proposed, dataSent: "keywords", dataReceived: "rankings", classification: "internal" } });
  expect((await api.post(`/api/v1/data-flows/${flow.data.id}/decision`, { data: { status: "approved" } })).status()).toBe(200);
  const yamlRes = await api.get("/api/v1/data-flows/egress-policy?format=yaml");
  const policy = YAML.parse(await yamlRes.text());
  expect(policy.allowed_domains).toContain(host);
  expect(policy.allowed_domains).not.toContain(proposed);
  expect(policy.agents["seo-research"].allowed_domains).toContain(host);
  expect((await api.get("/api/v1/data-flows/egress-policy?format=xml")).status()).toBe(400);
  await api.dispose();
});
