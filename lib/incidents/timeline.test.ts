import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { execute } from "@/lib/action";
import { makeUser, rid } from "@/test/factories";
import { seedDemoFleet } from "@/lib/seed/demo";
import { addIncidentNoteAction, openIncidentAction, setPostMortemAction, updateIncidentAction } from "./actions";
import { getIncident } from "./queries";
import { appendTimeline, timelineEntry } from "./timeline";
import { ZTimelineEvent, parseTimelineEvent, timelineRow, type TimelineEventInput } from "./timeline-schema";

async function openByHand(actor: Parameters<typeof execute>[0], over: Record<string, unknown> = {}) {
  const res = await execute(actor, openIncidentAction, { title: `Vendor breach ${rid()}`, severity: "high", ...over });
  if (!res.ok) throw new Error(`open failed: ${res.error}`);
  return res.data;
}

const rowsOf = (incidentId: string) => db.incidentEvent.findMany({ where: { incidentId }, orderBy: { id: "asc" } });

describe("incident timeline entries", () => {
  it("every writer stores entries the schema reads back as their kind", async () => {
    const lead = await makeUser("security_lead");
    const owner = await makeUser("operator");
    const gw = await db.gateway.create({ data: { name: `gw-${rid()}`, kind: "generic", environment: "test" } });
    const agent = await db.agent.create({ data: { name: `agent-${rid()}`, owner: "team", purpose: "test", gatewayId: gw.id } });
    const finding = await db.finding.create({
      data: { kind: "unapproved_tool", severity: "high", gatewayId: gw.id, agentId: agent.id, toolName: "rogue", title: `agent called rogue ${rid()}`, detail: { calls: 3 } },
    });
    const i = await openByHand(lead.actor, { title: undefined, severity: undefined, findingId: finding.id });
    for (const change of [{ status: "contained" }, { severity: "critical" }, { ownerId: owner.user.id }, { ownerId: null }]) {
      expect(await execute(lead.actor, updateIncidentAction, { id: i.id, ...change })).toMatchObject({ ok: true });
    }
    expect(await execute(lead.actor, addIncidentNoteAction, { id: i.id, text: "Rotated the key." })).toMatchObject({ ok: true });
    expect(await execute(lead.actor, setPostMortemAction, { id: i.id, postMortem: "What happened" })).toMatchObject({ ok: true });

    const rows = await rowsOf(i.id);
    expect(rows.map((r) => r.kind)).toEqual(["opened", "finding", "status", "status", "owner", "owner", "note", "post_mortem"]);
    for (const r of rows) expect(parseTimelineEvent(r.kind, r.body), `${r.kind} ${JSON.stringify(r.body)}`).toMatchObject({ ok: true, event: { kind: r.kind } });
    const detail = (await getIncident(i.id))!;
    const titles = detail.timeline.filter((t) => t.source === "event").map((t) => t.title);
    expect(titles).toEqual([
      "Incident opened (high)",
      `Opened from finding: ${finding.title}`,
      "Status: open → contained",
      "Severity: high → critical",
      `Owner: nobody → ${owner.user.name}`,
      `Owner: ${owner.user.name} → nobody`,
      "Note",
      "Post-mortem written",
    ]);
  });

  it("the demo seed's timeline parses too (its older shapes: a note's `by`, a status without `field`)", async () => {
    await seedDemoFleet(db, { toolCallCount: 50 });
    const rows = await db.incidentEvent.findMany();
    expect(rows.length).toBeGreaterThanOrEqual(5);
    for (const r of rows) expect(parseTimelineEvent(r.kind, r.body).ok, `${r.kind} ${JSON.stringify(r.body)}`).toBe(true);
    const incident = await db.incident.findFirstOrThrow({ where: { title: { startsWith: "slack-notify advisory" } } });
    const entries = (await getIncident(incident.id))!.timeline.filter((t) => t.source === "event" || t.source === "delivery");
    expect(entries.find((t) => t.kind === "note")).toMatchObject({ by: "Sam Lee", title: "Note" });
    expect(entries.find((t) => t.kind === "status")).toMatchObject({ title: "Status: resolved → closed", tone: "green" });
  });

  it("a writer cannot store an entry that does not fit its kind: the transaction fails and nothing is stored", async () => {
    const { actor } = await makeUser("operator");
    const i = await openByHand(actor);
    const before = (await rowsOf(i.id)).length;
    const bad = [
      { kind: "note", body: {} },
      { kind: "note", body: { text: 42 } },
      { kind: "status", body: { from: "open" } },
      { kind: "containment", body: { containmentId: "c1", event: "exploded" } },
      { kind: "playbook", body: { event: "action", type: "deny_tool", target: "x" } },
      { kind: "post_mortem", body: { event: "written", length: -1 } },
      { kind: "budget", body: { summary: "not a kind" } },
      { kind: "note", body: { text: "x".repeat(20_001) } },
    ] as unknown as TimelineEventInput[];
    for (const entry of bad) {
      expect(() => timelineRow(entry), JSON.stringify(entry).slice(0, 80)).toThrow();
      await expect(db.$transaction((tx) => appendTimeline(tx, i.id, entry))).rejects.toThrow();
    }
    expect((await rowsOf(i.id)).length).toBe(before);
    // The typed constructors build what the schema accepts; defaults are filled in on the way.
    expect(timelineRow(timelineEntry.status({ from: "open", to: "resolved" }))).toEqual({ kind: "status", body: { field: "status", from: "open", to: "resolved" } });
    expect(ZTimelineEvent.safeParse(timelineEntry.delivery({ gateway: "gw", state: "applied", kind: "apply", containmentId: "c" })).success).toBe(true);
  });

  it("legacy and hostile rows read as plain entries: the page never breaks and shows no markup or huge text", async () => {
    const { actor } = await makeUser("operator");
    const i = await openByHand(actor);
    const huge = "A".repeat(200_000);
    const hostile: [string, unknown][] = [
      ["note", {}],
      ["note", { text: ["not", "text"], by: { name: "x" } }],
      ["status", "just a string"],
      ["status", null],
      ["owner", [1, 2, 3]],
      ["containment", { containmentId: 7, event: "applied", action: { toString: "x" } }],
      ["delivery", { gateway: { name: "gw" }, state: 5, escalated: "yes" }],
      ["playbook", { event: "fired", cause: "nope", playbook: 12 }],
      ["playbook", { title: "Legacy playbook entry" }],
      ["finding", { title: null, kind: 3 }],
      ["post_mortem", { event: "deleted", length: "many" }],
      ["budget", { summary: "Fleet budget at 90 %" }],
      ["<img src=x onerror=alert(1)>", { title: "<script>alert(1)</script>", message: huge }],
      ["", JSON.parse(`{"text": "${huge}", "__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}, "${"k".repeat(5_000)}": "long key"}`)],
      ["opened", { by: 12, owner: "somebody", severity: { high: true } }],
    ];
    for (const [kind, body] of hostile) {
      await db.$executeRaw`insert into incident_events (incident_id, kind, body) values (${i.id}::uuid, ${kind}, ${JSON.stringify(body)}::jsonb)`;
    }
    const detail = (await getIncident(i.id))!;
    const stored = detail.timeline.filter((t) => t.source === "event");
    expect(stored.length).toBe(1 + hostile.length);
    for (const t of stored.slice(1)) {
      expect(typeof t.title).toBe("string");
      expect(t.title.length).toBeLessThanOrEqual(300);
      for (const [k, v] of t.facts ?? []) expect(k.length + v.length).toBeLessThanOrEqual(400);
      expect(t.tone).toBe("gray");
      expect((t.text ?? "").length).toBeLessThanOrEqual(20_001);
    }
    expect(stored.find((t) => t.kind === "budget")?.title).toBe("Fleet budget at 90 %");
    expect(stored.filter((t) => t.kind === "playbook").map((t) => t.title)).toEqual(["playbook (unrecognised entry)", "Legacy playbook entry"]);
    expect(stored.filter((t) => t.kind === "note").map((t) => t.title)).toEqual(["note (unrecognised entry)", "note (unrecognised entry)"]);
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });
});
