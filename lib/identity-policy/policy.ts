import "server-only";
import { db } from "@/lib/db";
import { DEFAULT_TIMEOUT_SECONDS } from "@/lib/approvals/schema";

type Subject = "person" | "group" | "unidentified" | "anyone";

/** One identity rule as the gateway enforces it (docs/connector-protocol.md, "The identity section"). */
export type PolicyIdentityRule = {
  id: string;
  subject: Subject;
  subjectId?: string;
  agent?: string;
  tool?: string;
  effect: "allow" | "deny" | "require_approval";
  reason: string;
  timeoutMs?: number;
};
/** One rate limit as the gateway enforces it. */
export type PolicyRateLimit = { id: string; subject: Subject; subjectId?: string; agent?: string; tool?: string; tier?: "interactive" | "subagent"; perMinute: number; shared: boolean };
/**
 * Per-person policy: `people` maps requester keys (hex SHA-256 of channel, account and sender; never
 * the sender ids) of enabled people to the person and their groups.
 */
export type PolicyIdentity = { people: Record<string, { person: string; groups: string[] }>; rules: PolicyIdentityRule[]; rateLimits: PolicyRateLimit[] };

const agentRef = (a: { externalId: string | null; name: string } | null) => (a ? { agent: a.externalId ?? a.name } : {});
const subjectRef = (r: { subject: Subject; personId: string | null; groupId: string | null }) =>
  r.subject === "person" && r.personId ? { subjectId: r.personId } : r.subject === "group" && r.groupId ? { subjectId: r.groupId } : {};

/**
 * The part of the directory a gateway needs: the people its rules and limits can match (a person
 * subject, members of a group subject). Everyone only when a limit for anyone applies there (it
 * counts per person, so each person's senders must count as one). Other people's keys (they are
 * hashes, but of guessable senders such as phone numbers) never leave Warden for that gateway.
 */
function peopleFor(all: PolicyIdentity["people"], entries: { subject: string; personId: string | null; groupId: string | null }[]): PolicyIdentity["people"] {
  if (entries.some((e) => e.subject === "anyone" && "perMinute" in e)) return all;
  const persons = new Set(entries.flatMap((e) => (e.subject === "person" && e.personId ? [e.personId] : [])));
  const groups = new Set(entries.flatMap((e) => (e.subject === "group" && e.groupId ? [e.groupId] : [])));
  return Object.fromEntries(Object.entries(all).filter(([, v]) => persons.has(v.person) || v.groups.some((g) => groups.has(g))));
}

/**
 * The `identity` section of each gateway's policy, with a fixed number of queries: the rules and
 * limits that name no agent or an agent on the gateway. A gateway none of them reaches gets no
 * section (its policy, and version, stay exactly what they were before identity rules existed).
 */
export async function identitySections(gatewayIds: string[]): Promise<Map<string, PolicyIdentity>> {
  const out = new Map<string, PolicyIdentity>();
  if (!gatewayIds.length) return out;
  const reach = { OR: [{ agentId: null }, { agent: { gatewayId: { in: gatewayIds } } }] };
  const agentSelect = { select: { externalId: true, name: true, gatewayId: true } } as const;
  const [rules, limits] = await Promise.all([
    db.identityRule.findMany({
      where: reach,
      orderBy: { id: "asc" },
      select: { id: true, subject: true, personId: true, groupId: true, toolName: true, effect: true, reason: true, timeoutSeconds: true, agent: agentSelect },
    }),
    db.rateLimitRule.findMany({
      where: reach,
      orderBy: { id: "asc" },
      select: { id: true, subject: true, personId: true, groupId: true, toolName: true, tier: true, perMinute: true, shared: true, agent: agentSelect },
    }),
  ]);
  if (!rules.length && !limits.length) return out;
  const people: PolicyIdentity["people"] = {};
  const identities = await db.personIdentity.findMany({
    where: { person: { disabledAt: null } },
    orderBy: { key: "asc" },
    select: { key: true, personId: true, person: { select: { groups: { select: { groupId: true } } } } },
  });
  for (const i of identities) people[i.key] = { person: i.personId, groups: i.person.groups.map((g) => g.groupId).sort() };
  for (const gatewayId of gatewayIds) {
    const reaches = (a: { gatewayId: string | null } | null) => !a || a.gatewayId === gatewayId;
    const r = rules.filter((x) => reaches(x.agent));
    const l = limits.filter((x) => reaches(x.agent));
    if (!r.length && !l.length) continue;
    out.set(gatewayId, {
      people: peopleFor(people, [...r, ...l]),
      rules: r.map((x) => ({
        id: x.id,
        subject: x.subject,
        ...subjectRef(x),
        ...agentRef(x.agent),
        ...(x.toolName ? { tool: x.toolName } : {}),
        effect: x.effect,
        reason: x.reason,
        ...(x.effect === "require_approval" ? { timeoutMs: (x.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000 } : {}),
      })),
      rateLimits: l.map((x) => ({
        id: x.id,
        subject: x.subject,
        ...subjectRef(x),
        ...agentRef(x.agent),
        ...(x.toolName ? { tool: x.toolName } : {}),
        ...(x.tier === "interactive" || x.tier === "subagent" ? { tier: x.tier } : {}),
        perMinute: x.perMinute,
        shared: x.shared,
      })),
    });
  }
  return out;
}
