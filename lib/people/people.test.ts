import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { execute } from "@/lib/action";
import { makeGateway, makeUser, rid } from "@/test/factories";
import type { Actor } from "@/lib/auth/actor";
import { requesterKey } from "./keys";
import {
  addIdentityAction,
  addMemberAction,
  createGroupAction,
  createPersonAction,
  deleteGroupAction,
  disablePersonAction,
  enablePersonAction,
  removeIdentityAction,
  removeMemberAction,
  updatePersonAction,
} from "./actions";
import { getPerson, listGroups, listPeoplePage, parsePeopleQuery } from "./queries";

const sender = () => ({ channel: "telegram", accountId: "default", senderId: `${Math.floor(Math.random() * 1e12)}` });
const policyGen = async (gatewayId: string) => Number((await db.gatewayPolicyCache.findUnique({ where: { gatewayId }, select: { gen: true } }))?.gen ?? 0);

/** A gateway whose signed policy carries an identity section (a rule names its agent): directory changes refresh it. */
async function identityGateway() {
  const gw = await makeGateway();
  const agent = await db.agent.create({ data: { name: `agent-${rid()}`, owner: "people tests", purpose: "test", gatewayId: gw.id } });
  await db.identityRule.create({ data: { subject: "anyone", agentId: agent.id, toolName: "send_payment", effect: "deny", reason: "test", createdBy: "test" } });
  return gw;
}

async function person(actor: Actor, extra: Record<string, unknown> = {}) {
  const res = await execute(actor, createPersonAction, { displayName: `Person ${rid()}`, ...extra });
  if (!res.ok) throw new Error(res.error);
  return res.data;
}

describe("the people directory", () => {
  it("adds a person with a sender identity: the key is the gateway's requesterKey, audited in the same transaction, gateways refreshed", async () => {
    const { actor } = await makeUser("security_lead");
    const gw = await identityGateway();
    const gen = await policyGen(gw.id);
    const s = { channel: " Telegram ", accountId: "default", senderId: " 4242-" + rid() + " " };
    const res = await execute(actor, createPersonAction, { displayName: "  Ana Silva ", email: `Ana-${rid()}@Example.com`, identities: [s] });
    expect(res.ok).toBe(true);
    if (!res.ok) return;
    expect(res.data.displayName).toBe("Ana Silva");
    expect(res.data.email).toMatch(/^ana-[0-9a-f]+@example\.com$/);
    const [i] = await db.personIdentity.findMany({ where: { personId: res.data.id } });
    expect(i).toMatchObject({ channel: "telegram", accountId: "default", senderId: s.senderId.trim() });
    expect(i.key).toBe(requesterKey({ channel: "telegram", accountId: "default", senderId: s.senderId }));
    const audit = await db.auditEvent.findFirstOrThrow({ where: { action: "person.create", targetId: res.data.id } });
    expect(audit).toMatchObject({ outcome: "success", actorLabel: actor.label });
    expect(await policyGen(gw.id)).toBeGreaterThan(gen);
  });

  it.each([
    ["missing name", {}, ["displayName"]],
    ["bad email", { displayName: "x", email: "not-an-email" }, ["email"]],
    ["bad identity", { displayName: "x", identities: [{ channel: "tele gram", senderId: "" }] }, ["identities"]],
    ["oversize", { displayName: "n".repeat(500), identities: [{ channel: "slack", senderId: "s".repeat(201) }] }, ["displayName", "identities"]],
    ["bad team", { displayName: "x", teamId: "nope" }, ["teamId"]],
  ])("refuses %s with field errors and writes nothing", async (_l, input, fields) => {
    const { actor } = await makeUser("admin");
    const [people, events] = await Promise.all([db.person.count(), db.auditEvent.count()]);
    const res = await execute(actor, createPersonAction, input);
    expect(res).toMatchObject({ ok: false, status: 400 });
    if (res.ok) return;
    expect([...new Set(Object.keys(res.fieldErrors ?? {}).map((k) => k.split(".")[0]))].sort()).toEqual([...fields].sort());
    expect(await db.person.count()).toBe(people);
    expect(await db.auditEvent.count()).toBe(events);
  });

  it("a sender belongs to one person: 409 with a field error, nothing written", async () => {
    const { actor } = await makeUser("admin");
    const s = sender();
    const a = await person(actor, { identities: [s] });
    const b = await person(actor);
    const events = await db.auditEvent.count();
    // The same sender differently spelled (channel case, spaces) is the same key.
    const res = await execute(actor, addIdentityAction, { personId: b.id, ...s, channel: "TELEGRAM", senderId: ` ${s.senderId}` });
    expect(res).toMatchObject({ ok: false, status: 409, fieldErrors: { senderId: ["This sender already belongs to another person."] } });
    const other = await execute(actor, createPersonAction, { displayName: "Dup", identities: [s] });
    expect(other).toMatchObject({ ok: false, status: 409, fieldErrors: { senderId: ["This sender already belongs to another person."] } });
    expect(await db.personIdentity.count({ where: { personId: b.id } })).toBe(0);
    expect(await db.auditEvent.count()).toBe(events);
    expect(a.identities).toHaveLength(1);
  });

  it("adding the same identity twice at once stores it once, audits once, and both callers succeed", async () => {
    const { actor } = await makeUser("security_lead");
    const p = await person(actor);
    const s = sender();
    const results = await Promise.all(Array.from({ length: 4 }, () => execute(actor, addIdentityAction, { personId: p.id, ...s })));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(await db.personIdentity.count({ where: { personId: p.id } })).toBe(1);
    expect(await db.auditEvent.count({ where: { action: "person.identity_add", targetId: p.id } })).toBe(1);
  });

  it("two people racing for the same sender: one gets it, the other a 409", async () => {
    const { actor } = await makeUser("admin");
    const [a, b] = [await person(actor), await person(actor)];
    const s = sender();
    const [ra, rb] = await Promise.all([execute(actor, addIdentityAction, { personId: a.id, ...s }), execute(actor, addIdentityAction, { personId: b.id, ...s })]);
    expect([ra.ok, rb.ok].sort()).toEqual([false, true]);
    expect([ra, rb].find((r) => !r.ok)).toMatchObject({ status: 409 });
    expect(await db.personIdentity.count({ where: { key: requesterKey(s) } })).toBe(1);
  });

  it("removes an identity, disables and enables, each audited and refreshing gateways; a disable twice audits once", async () => {
    const { actor } = await makeUser("admin");
    const gw = await identityGateway();
    const p = await person(actor, { identities: [sender()] });
    let gen = await policyGen(gw.id);
    const rm = await execute(actor, removeIdentityAction, { personId: p.id, identityId: p.identities[0].id });
    expect(rm.ok).toBe(true);
    expect(await policyGen(gw.id)).toBeGreaterThan(gen);
    gen = await policyGen(gw.id);
    await Promise.all([execute(actor, disablePersonAction, { id: p.id }), execute(actor, disablePersonAction, { id: p.id })]);
    expect((await db.person.findUniqueOrThrow({ where: { id: p.id } })).disabledAt).not.toBeNull();
    expect(await db.auditEvent.count({ where: { action: "person.disable", targetId: p.id } })).toBe(1);
    expect(await policyGen(gw.id)).toBeGreaterThan(gen);
    await execute(actor, enablePersonAction, { id: p.id });
    expect((await db.person.findUniqueOrThrow({ where: { id: p.id } })).disabledAt).toBeNull();
    expect(await db.auditEvent.count({ where: { action: { in: ["person.identity_remove", "person.enable"] }, targetId: p.id } })).toBe(2);
    // An identity of another person is not found through this one.
    const q = await person(actor, { identities: [sender()] });
    expect(await execute(actor, removeIdentityAction, { personId: p.id, identityId: q.identities[0].id })).toMatchObject({ ok: false, status: 404 });
  });

  it("groups: create, member add (idempotent), remove, delete; each audited, membership refreshes gateways", async () => {
    const { actor } = await makeUser("security_lead");
    const gw = await identityGateway();
    const p = await person(actor);
    const g = await execute(actor, createGroupAction, { name: `finance-${rid()}` });
    if (!g.ok) throw new Error(g.error);
    expect(await execute(actor, createGroupAction, { name: g.data.name })).toMatchObject({ ok: false, status: 409, fieldErrors: { name: ["Already in use."] } });
    const gen = await policyGen(gw.id);
    await Promise.all([execute(actor, addMemberAction, { groupId: g.data.id, personId: p.id }), execute(actor, addMemberAction, { groupId: g.data.id, personId: p.id })]);
    expect(await db.personGroupMember.count({ where: { groupId: g.data.id } })).toBe(1);
    expect(await db.auditEvent.count({ where: { action: "group.member_add", targetId: g.data.id } })).toBe(1);
    expect(await policyGen(gw.id)).toBeGreaterThan(gen);
    expect((await listGroups(actor)).find((x) => x.id === g.data.id)?.memberCount).toBe(1);
    expect((await execute(actor, removeMemberAction, { groupId: g.data.id, personId: p.id })).ok).toBe(true);
    expect((await execute(actor, deleteGroupAction, { id: g.data.id })).ok).toBe(true);
    expect(await db.personGroup.count({ where: { id: g.data.id } })).toBe(0);
    expect(await db.auditEvent.count({ where: { action: { in: ["group.create", "group.member_remove", "group.delete"] }, targetId: g.data.id } })).toBe(3);
  });

  it.each(["operator", "auditor", "manager"] as const)("denies %s every directory change, audited", async (role) => {
    const { actor: admin } = await makeUser("admin");
    const { actor } = await makeUser(role);
    const p = await person(admin);
    for (const [def, input] of [
      [createPersonAction, { displayName: "x" }],
      [updatePersonAction, { id: p.id, displayName: "y" }],
      [addIdentityAction, { personId: p.id, ...sender() }],
      [disablePersonAction, { id: p.id }],
      [createGroupAction, { name: `g-${rid()}` }],
    ] as const) {
      const res = await execute(actor, def as typeof createPersonAction, input);
      expect(res, `${role} ${def.name}`).toMatchObject({ ok: false, status: 403 });
      expect(await db.auditEvent.findFirst({ where: { action: def.name, outcome: "denied", actorLabel: actor.label } })).not.toBeNull();
    }
  });

  it("a team-scoped security lead sees and manages only their team's people, and cannot create outside it", async () => {
    const [t1, t2] = await Promise.all([db.team.create({ data: { name: `t-${rid()}` } }), db.team.create({ data: { name: `t-${rid()}` } })]);
    const { actor: admin } = await makeUser("admin");
    const { actor: lead0 } = await makeUser("security_lead");
    const lead: Actor = { ...lead0, teamId: t1.id };
    const theirs = await person(admin, { teamId: t2.id, identities: [sender()] });
    const mine = await execute(lead, createPersonAction, { displayName: `Mine ${rid()}` });
    expect(mine).toMatchObject({ ok: true, data: { teamId: t1.id } });
    expect(await execute(lead, createPersonAction, { displayName: "Elsewhere", teamId: t2.id })).toMatchObject({ ok: false, status: 403, fieldErrors: { teamId: ["Only your own team."] } });
    expect(await execute(lead, updatePersonAction, { id: theirs.id, displayName: "hijack" })).toMatchObject({ ok: false, status: 404 });
    expect(await execute(lead, addIdentityAction, { personId: theirs.id, ...sender() })).toMatchObject({ ok: false, status: 404 });
    expect(await execute(lead, disablePersonAction, { id: theirs.id })).toMatchObject({ ok: false, status: 404 });
    expect(await execute(lead, updatePersonAction, { id: mine.ok ? mine.data.id : "", teamId: t2.id })).toMatchObject({ ok: false, status: 403 });
    const page = await listPeoplePage(lead, parsePeopleQuery({ pageSize: "200" }).query);
    expect(page.rows.every((r) => r.team?.id === t1.id)).toBe(true);
    expect(await getPerson(lead, theirs.id)).toBeNull();
    expect(await getPerson(admin, theirs.id)).not.toBeNull();
  });

  it("an email or a console user already taken: 409 naming the field", async () => {
    const { actor, user } = await makeUser("admin");
    const email = `dup-${rid()}@example.com`;
    await person(actor, { email, userId: user.id });
    expect(await execute(actor, createPersonAction, { displayName: "Again", email: email.toUpperCase() })).toMatchObject({ ok: false, status: 409, fieldErrors: { email: ["Already in use."] } });
    const other = await person(actor);
    expect(await execute(actor, updatePersonAction, { id: other.id, userId: user.id })).toMatchObject({ ok: false, status: 409, fieldErrors: { userId: ["Already linked."] } });
    expect(await execute(actor, updatePersonAction, { id: other.id, userId: "00000000-0000-4000-8000-000000000000" })).toMatchObject({
      ok: false,
      status: 400,
      fieldErrors: { userId: ["No such user."] },
    });
  });

  it("searches by name, email and sender id", async () => {
    const { actor } = await makeUser("admin");
    const s = sender();
    const tag = rid();
    const p = await person(actor, { displayName: `Zed ${tag}`, identities: [s] });
    for (const q of [tag, s.senderId]) {
      const page = await listPeoplePage(actor, parsePeopleQuery({ q }).query);
      expect(page.rows.map((r) => r.id)).toEqual([p.id]);
      expect(page.rows[0].identities).toHaveLength(1);
    }
  });
});
