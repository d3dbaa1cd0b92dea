import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { seal } from "@/lib/crypto";
import { makeUser, rid } from "@/test/factories";
import { contain, releaseContainment } from "@/lib/containment/service";
import { enqueueCommands } from "./commands";
import { generateSigningSecret } from "@/lib/connector/signature";

// Another replica learns of a new command only through `warden_wake` (its in-process wake-up
// cannot reach it): every command insert must NOTIFY its gateway ids at commit, and only then.
let listener: pg.Client;
const received: string[] = [];

beforeAll(async () => {
  listener = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await listener.connect();
  listener.on("notification", (m) => {
    if (m.channel === "warden_wake" && m.payload) received.push(...m.payload.split(","));
  });
  await listener.query("listen warden_wake");
});
afterAll(async () => {
  await listener.end();
});

async function gateways(n: number) {
  const out = [];
  for (let i = 0; i < n; i++)
    out.push(await db.gateway.create({ data: { name: `wake-${rid()}`, kind: "openclaw", environment: "test", signingSecretEnc: seal(generateSigningSecret()), lastSeenAt: new Date() } }));
  return out;
}

/** The ids received within `ms` after `fn`, once the expected ones arrived (or the time is up). */
async function notified(fn: () => Promise<unknown>, expected: string[], ms = 3_000) {
  received.length = 0;
  await fn();
  const end = Date.now() + ms;
  while (Date.now() < end && !expected.every((id) => received.includes(id))) await new Promise((r) => setTimeout(r, 20));
  return new Set(received);
}

describe("warden_wake for gateway commands", () => {
  it("a kill switch and its release notify every gateway they reach, across more than one NOTIFY payload", async () => {
    // 160 gateways: more than the 150 ids one payload carries.
    const gws = await gateways(160);
    const ids = gws.map((g) => g.id);
    const { actor } = await makeUser("operator");
    let containmentId = "";
    const applied = await notified(async () => {
      containmentId = (await contain(actor, { scope: "fleet", target: "fleet", action: "block_all", reason: "wake test" })).id;
    }, ids);
    for (const id of ids) expect(applied.has(id)).toBe(true);
    const released = await notified(() => releaseContainment(actor, { id: containmentId, reason: "wake test over" }), ids);
    for (const id of ids) expect(released.has(id)).toBe(true);
  });

  it("an approval decision command notifies its gateway; a rolled-back insert notifies nobody", async () => {
    const [gw] = await gateways(1);
    const got = await notified(() => db.$transaction((tx) => enqueueCommands(tx, { gatewayIds: [gw.id], type: "approval_decision", target: "appr-1", payload: { decision: "approved" } })), [gw.id]);
    expect(got.has(gw.id)).toBe(true);

    const [other] = await gateways(1);
    const none = await notified(
      () =>
        db
          .$transaction(async (tx) => {
            await enqueueCommands(tx, { gatewayIds: [other.id], type: "approval_decision", target: "appr-2", payload: {} });
            throw new Error("rolled back");
          })
          .catch(() => {}),
      [other.id],
      500,
    );
    expect(none.has(other.id)).toBe(false);
  });
});
