/**
 * Audit checkpoints in the console and the API: an evidence export makes a signed checkpoint; the
 * auditor pastes it (and altered or malformed ones) into the verify panel and sees each verdict.
 * Nothing here touches the shared trail: the chain stays intact for every other spec.
 */
import fs from "node:fs";
import path from "node:path";
import { expect, makeToken, makeUser, signIn, sql, test } from "./fixtures";

const serverFile = path.join(__dirname, "..", ".warden-e2e", "audit-checkpoints.jsonl");

/** The checkpoint line exactly as Warden writes it (key order as in lib/audit/checkpoint-format.ts). */
function line(r: { head_id: string; head_hash: string; count: string; at: Date; key_id: string; reason: string; signature: string }, over: Record<string, unknown> = {}) {
  return JSON.stringify({
    v: 1,
    type: "warden.audit.checkpoint",
    headId: r.head_id,
    headHash: r.head_hash,
    count: Number(r.count),
    at: r.at.toISOString(),
    keyId: r.key_id,
    reason: r.reason,
    sig: r.signature,
    ...over,
  });
}

test("an export's checkpoint verifies in the console; altered or malformed ones are reported", async ({ page, playwright, baseURL }) => {
  test.setTimeout(90_000);
  const auditor = await makeUser("auditor");
  const api = await playwright.request.newContext({ baseURL, extraHTTPHeaders: { authorization: `Bearer ${await makeToken(auditor)}` } });
  const started = await api.post("/api/v1/evidence/exports", { data: { from: new Date(Date.now() - 3_600_000).toISOString(), to: new Date().toISOString() } });
  expect(started.status()).toBe(202);
  const { data } = await started.json();
  await expect.poll(async () => (await (await api.get(`/api/v1/evidence/exports/${data.id}`)).json()).data?.state, { timeout: 60_000 }).toBe("done");

  const { rows } = await sql().query("select head_id::text, head_hash, count::text, at, key_id, reason, signature from audit_checkpoints where reason = 'export' order by id desc limit 1");
  const cp = rows[0];
  expect(cp).toBeTruthy();
  // It left the database: the server's checkpoint file has it, as one line.
  expect(fs.readFileSync(serverFile, "utf8").split("\n")).toContain(line(cp));

  await signIn(page, auditor);
  await page.goto("/audit");
  await page.getByText("Check against your own checkpoints").click();
  const box = page.getByLabel(/Checkpoints \(one JSON object per line/);
  await box.fill(line(cp));
  await page.getByRole("button", { name: "Verify chain" }).click();
  await expect(page.getByText(/Chain intact: [\d,]+ events verified, [\d,]+ checkpoints? satisfied/)).toBeVisible();
  await expect(page.getByText(/Anchored up to event #\d+/)).toBeVisible();

  // Altered after signing (one more row claimed): a bad signature, and the verdict is a failure.
  await box.fill(line(cp, { count: Number(cp.count) + 1 }));
  await page.getByRole("button", { name: "Verify chain" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Verification failed" })).toBeVisible();
  await expect(page.getByRole("list", { name: "Checkpoint failures" })).toContainText("Bad signature");
  await expect(page.getByRole("list", { name: "Checkpoint failures" })).toContainText("given, line 1");

  // Not a checkpoint at all: refused with the line named, nothing verified.
  await box.fill(`${line(cp)}\n{"v":1,"headId":"x"}`);
  await page.getByRole("button", { name: "Verify chain" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "not well-formed" })).toBeVisible();
  await expect(page.getByRole("alert").filter({ hasText: /^line 2:/ })).toBeVisible();

  // The same over the API: GET and POST keep { ok, checked, firstBrokenId }, POST takes checkpoints.
  const get = await (await api.get("/api/v1/audit/verify")).json();
  expect(get).toMatchObject({ ok: true, firstBrokenId: null, checkpoints: { failed: [] } });
  expect(get.checkpoints.verified).toBeGreaterThanOrEqual(1);
  const forged = await api.post("/api/v1/audit/verify", { data: { serverFile: false, checkpoints: [JSON.parse(line(cp, { headHash: "f".repeat(64) }))] } });
  expect(forged.status()).toBe(200);
  expect(await forged.json()).toMatchObject({ ok: false, checkpoints: { checked: 1, verified: 0, failed: [{ problem: "badSignature" }] } });
  const bad = await api.post("/api/v1/audit/verify", { data: { checkpoints: [{ v: 2 }], extra: true } });
  expect(bad.status()).toBe(400);
  expect((await bad.json()).error.fieldErrors).toBeTruthy();
  await api.dispose();
});
