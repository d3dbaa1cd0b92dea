/** Registering a gateway: the secret is shown once and signs connector requests; policies verify. */
import { createPublicKey, verify } from "node:crypto";
import { canonicalJson } from "@/lib/signing/canonical";
import { signedHeaders } from "../lib/connector/signature";
import { expect, makeUser, rid, signIn, test } from "./fixtures";

test("an operator registers a gateway and the gateway fetches a signed policy with its secret", async ({ page, request }) => {
  await signIn(page, await makeUser("operator"));
  await page.goto("/gateways");
  const form = page.getByRole("form", { name: "Register a gateway" });
  const name = `gw-${rid()}`;
  await form.getByLabel("Name").fill(name);
  await form.getByLabel("Environment").fill("staging");
  await form.getByLabel("Admin WebSocket URL (optional)").fill("http://not-a-websocket");
  await form.getByRole("button", { name: "Register gateway" }).click();
  await expect(form.getByText("A ws:// or wss:// URL.")).toBeVisible();
  await form.getByLabel("Admin WebSocket URL (optional)").fill("");
  await form.getByRole("button", { name: "Register gateway" }).click();
  const gatewayId = (await page.getByTestId("gateway-id").textContent())!.trim();
  const secret = (await page.getByTestId("gateway-secret").textContent())!.trim();
  expect(secret).toMatch(/^whsec_/);
  await page.reload();
  await expect(page.getByTestId("gateway-secret")).toHaveCount(0);
  expect(await page.content()).not.toContain(secret);

  const res = await request.get("/api/v1/connector/policy", { headers: { ...signedHeaders(secret, ""), "x-warden-gateway": gatewayId } });
  expect(res.status()).toBe(200);
  const body = await res.json();
  expect(body.policy).toMatchObject({ schema: "warden.policy/v1", gatewayId, defaultDecision: "deny", agents: [] });
  const pk = await (await request.get("/api/v1/connector/public-key")).json();
  expect(verify(null, Buffer.from(canonicalJson(body.policy)), createPublicKey(pk.publicKeyPem), Buffer.from(body.signature, "base64"))).toBe(true);
  const notModified = await request.get("/api/v1/connector/policy", { headers: { ...signedHeaders(secret, ""), "x-warden-gateway": gatewayId, "if-none-match": res.headers().etag } });
  expect(notModified.status()).toBe(304);
  const forged = await request.get("/api/v1/connector/policy", { headers: { ...signedHeaders("whsec_" + Buffer.from("x".repeat(32)).toString("base64"), ""), "x-warden-gateway": gatewayId } });
  expect(forged.status()).toBe(401);

  // The gateway page shows it, without the secret; rotating issues a new one.
  await page.getByRole("link", { name }).click();
  await expect(page.getByRole("heading", { name })).toBeVisible();
  page.once("dialog", (d) => d.accept());
  await page.getByRole("button", { name: "Rotate signing secret" }).click();
  const rotated = (await page.getByTestId("gateway-secret").textContent())!.trim();
  expect(rotated).not.toBe(secret);
  // During the grace period both secrets verify.
  for (const s of [secret, rotated]) expect((await request.get("/api/v1/connector/policy", { headers: { ...signedHeaders(s, ""), "x-warden-gateway": gatewayId } })).status()).toBe(200);
});
