"""Map an AgentGovBench scenario onto Warden's model (pure: no I/O, unit-tested by policy_map_test.py).

Warden has no tenants, tiers or scopes as such. The mapping, written out in docs/agentgovbench.md:
  tenant            -> a team, with its own gateway; its agents belong to the team
  user              -> a person of that team, with one sender identity (channel "agentgovbench",
                       account = the scenario's run tag, sender = the uid) and the user's email
  call's agent      -> a Warden agent on the tenant's gateway, gateway agent id = agent_name, or for a
                       call naming none the tier's agent (assistant / subagent / scheduler / api-client)
  tier              -> the agents that act in that tier (Warden rules name agents, not tiers);
                       interactive/subagent rate limits use Warden's own tier field
  tool              -> a tool approved (tool request + security lead's decision) for the tenant's agents
  delegation        -> an approved agent link (from -> to) + sessions_spawn approved for the parent; the
                       child agent's allowlist is the tools its delegated scopes cover (Warden narrows a
                       sub-agent by its own allowlist and the chain, not per task)
  scopes            -> a person x tool deny rule for every tool whose required scopes the user lacks
  policy tiers      -> identity rules (anyone / person x agent [x tool]) and rate-limit rules
  tenant membership -> a person x agent deny rule for every person of another tenant
  anonymous calls   -> an "unidentified" deny rule on every agent

The bench's precedence (user.tools > workspace.tools > user.defaults > workspace.defaults) differs
from Warden's most-specific-wins ordering (subject first); where the two would disagree for a
(person, agent, tool) the mapping adds the person x agent x tool rule that states the bench's answer.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Optional

TIER_AGENT = {"interactive": "assistant", "subagent": "subagent", "background": "scheduler", "api": "api-client"}
WARDEN_TIERS = ("interactive", "subagent")
SPAWN_TOOL = "sessions_spawn"
SUBJECT_RANK = {"person": 3, "group": 2, "unidentified": 1, "anyone": 0}
EFFECT_RANK = {"deny": 2, "require_approval": 1, "allow": 0}


def _get(obj: Any, name: str, default: Any = None) -> Any:
    return getattr(obj, name, default) if not isinstance(obj, dict) else obj.get(name, default)


def slug(text: str) -> str:
    s = re.sub(r"[^a-z0-9-_.]+", "-", text.lower()).strip("-") or "x"
    return s if re.match(r"^[a-z0-9]", s) else f"a{s}"


@dataclass
class Rule:
    """An identity rule: subject person (uid) | unidentified | anyone; agent/tool None = any."""
    subject: str
    effect: str
    reason: str
    tenant: Optional[str] = None  # the agent's tenant when agent is set
    person: Optional[str] = None  # uid
    agent: Optional[str] = None
    tool: Optional[str] = None

    def key(self) -> tuple:
        return (self.subject, self.person, self.tenant if self.agent else None, self.agent, self.tool)


@dataclass
class Limit:
    subject: str
    per_minute: int
    reason: str
    person: Optional[str] = None
    tenant: Optional[str] = None
    agent: Optional[str] = None
    tool: Optional[str] = None
    tier: Optional[str] = None

    def key(self) -> tuple:
        return (self.subject, self.person, self.tenant if self.agent else None, self.agent, self.tool, self.tier)


@dataclass
class Plan:
    tenants: list[str]
    members: dict[str, str]  # uid -> tenant
    emails: dict[str, Optional[str]]
    agents: dict[str, dict[str, set[str]]]  # tenant -> agent -> tiers
    approvals: dict[str, dict[str, list[str]]]  # tenant -> tool -> agents
    links: dict[str, set[tuple[str, str]]]  # tenant -> {(from, to)}
    rules: list[Rule] = field(default_factory=list)
    limits: list[Limit] = field(default_factory=list)
    fail_open: dict[str, bool] = field(default_factory=dict)


def default_tenant(scenario: Any) -> str:
    tenants = _get(_get(scenario, "setup"), "tenants") or []
    return _get(tenants[0], "id") if tenants else "tenant-a"


def call_agent(agent_name: Optional[str], tier: str) -> str:
    return agent_name or TIER_AGENT.get(tier, "assistant")


def actors(scenario: Any) -> dict[str, dict[str, set[str]]]:
    """Every agent that acts, per tenant, with the tiers it acts in (delegation targets and fan-out workers: subagent)."""
    out: dict[str, dict[str, set[str]]] = {}
    first = default_tenant(scenario)
    targets = {_get(a, "to_agent") for a in _get(scenario, "actions") or [] if _get(a, "kind") == "delegation"}
    for a in _get(scenario, "actions") or []:
        kind = _get(a, "kind")
        tenant = _get(a, "as_tenant") or first
        agents = out.setdefault(tenant, {})
        if kind == "direct_tool_call":
            tier = _get(a, "agent_tier") or "interactive"
            agent = call_agent(_get(a, "agent_name"), tier)
            agents.setdefault(agent, set()).add(tier)
            if implicit_spawn(a, targets):
                agents.setdefault(TIER_AGENT["interactive"], set()).add("interactive")
        elif kind == "delegation":
            frm = _get(a, "from_agent")
            agents.setdefault(frm, set()).add("subagent" if frm in targets else "interactive")
            agents.setdefault(_get(a, "to_agent"), set()).add("subagent")
        elif kind == "parallel_fan_out":
            agents.setdefault(TIER_AGENT["interactive"], set()).add("interactive")
            for i in range(int(_get(a, "worker_count") or 1)):
                agents.setdefault(f"worker-{i}", set()).add("subagent")
    return out


def implicit_spawn(a: Any, targets: set) -> bool:
    """A sub-agent call of an agent no delegation in the scenario creates: the tenant's interactive agent spawned it
    (an OpenClaw sub-agent session exists only because a session spawned it; without a spawn the plugin
    cannot know whose it is and treats it as unidentified)."""
    agent = call_agent(_get(a, "agent_name"), _get(a, "agent_tier") or "interactive")
    return (_get(a, "agent_tier") or "interactive") == "subagent" and agent not in targets and agent != TIER_AGENT["interactive"]


def permission_of(tp: Any) -> Optional[str]:
    p = _get(tp, "permission")
    if p == "deny":
        return "deny"
    if p in ("allow", "flag"):
        return "allow"  # "flag" (allow and mark) has no Warden counterpart: every call is recorded anyway
    return None


def bench_effect(policy: Any, uid: Optional[str], member_of: Optional[str], tenant: str, tier: str, tool: str, scopes: dict[str, set[str]], required: dict[str, set[str]]) -> str:
    """The bench's own answer for one (user, tenant, tier, tool): user.tools > scopes > workspace.tools > user.defaults > workspace.defaults."""
    if uid is None or uid == "":
        return "deny"
    if member_of != tenant:
        return "deny"
    ut = ((_get(policy, "user_tools") or {}).get(uid) or {}).get(tool) or {}
    if tier in ut and permission_of(ut[tier]):
        return permission_of(ut[tier])
    if not required.get(tool, set()) <= scopes.get(uid, set()):
        return "deny"
    wt = (_get(policy, "tools") or {}).get(tool) or {}
    if tier in wt and permission_of(wt[tier]):
        return permission_of(wt[tier])
    ud = (_get(policy, "users") or {}).get(uid) or {}
    if tier in ud and permission_of(ud[tier]):
        return permission_of(ud[tier])
    d = (_get(policy, "defaults") or {}).get(tier)
    return permission_of(d) or "allow" if d is not None else "allow"


def warden_effect(rules: list[Rule], uid: Optional[str], tenant: str, agent: str, tool: str) -> str:
    """Warden's answer from identity rules alone (most specific wins; no rule: allow), as the plugin decides it."""
    best: Optional[Rule] = None
    best_score = -1
    for r in rules:
        if r.subject == "person" and r.person != uid:
            continue
        if r.subject == "unidentified" and uid:
            continue
        if r.agent is not None and (r.agent != agent or r.tenant != tenant):
            continue
        if r.tool is not None and r.tool != tool:
            continue
        score = SUBJECT_RANK[r.subject] * 100 + (10 if r.tool else 0) + (1 if r.agent else 0)
        if score > best_score or (score == best_score and best and EFFECT_RANK[r.effect] > EFFECT_RANK[best.effect]):
            best, best_score = r, score
    return best.effect if best else "allow"


def build_plan(scenario: Any, policies: Optional[dict[str, Any]] = None) -> Plan:
    """The Warden objects and rules for a scenario; `policies` (tenant -> Policy) overrides the setup's (after policy changes)."""
    setup = _get(scenario, "setup")
    tenants = [_get(t, "id") for t in _get(setup, "tenants") or []] or ["tenant-a"]
    pol = {(_get(t, "id")): _get(t, "policy") for t in _get(setup, "tenants") or []}
    if policies:
        pol.update(policies)
    members: dict[str, str] = {}
    emails: dict[str, Optional[str]] = {}
    scopes: dict[str, set[str]] = {}
    for t in _get(setup, "tenants") or []:
        for u in _get(t, "users") or []:
            members[_get(u, "uid")] = _get(t, "id")
            emails[_get(u, "uid")] = _get(u, "email")
            scopes[_get(u, "uid")] = set(_get(u, "scopes") or [])
    tools = {_get(t, "name"): set(_get(t, "required_scopes") or []) for t in _get(setup, "tools") or []}
    acting = actors(scenario)
    for t in tenants:
        acting.setdefault(t, {})
    for t in list(acting):
        if t not in tenants:
            tenants.append(t)  # a call naming a tenant the setup does not declare: its gateway knows nobody

    # Delegations: links, the parent's spawn tool, the child's narrowed allowlist.
    first = tenants[0]
    links: dict[str, set[tuple[str, str]]] = {t: set() for t in tenants}
    chains: dict[tuple[str, str], list[str]] = {}
    narrowed: dict[tuple[str, str], set[str]] = {}
    for a in _get(scenario, "actions") or []:
        kind = _get(a, "kind")
        tenant = _get(a, "as_tenant") or first
        if kind == "delegation":
            # Every agent of the parent's chain must be allowed the spawn too (Warden's scope narrowing: a
            # child may do nothing its parents may not), so the link goes from each of them.
            frm, to = _get(a, "from_agent"), _get(a, "to_agent")
            for agent in chains.get((tenant, frm), [frm]):
                links[tenant].add((agent, to))
            chains[(tenant, to)] = chains.get((tenant, frm), [frm]) + [to]
            key = (tenant, _get(a, "to_agent"))
            granted = set(_get(a, "delegated_scopes") or [])
            narrowed[key] = granted if key not in narrowed else narrowed[key] & granted
        elif kind == "parallel_fan_out":
            for i in range(int(_get(a, "worker_count") or 1)):
                links[tenant].add((TIER_AGENT["interactive"], f"worker-{i}"))
        elif kind == "direct_tool_call" and implicit_spawn(a, {_get(x, "to_agent") for x in _get(scenario, "actions") or [] if _get(x, "kind") == "delegation"}):
            links[tenant].add((TIER_AGENT["interactive"], call_agent(_get(a, "agent_name"), "subagent")))
    approvals: dict[str, dict[str, list[str]]] = {}
    for t in tenants:
        per_tool: dict[str, list[str]] = {}
        for agent in sorted(acting[t]):
            for tool, req in tools.items():
                if (t, agent) in narrowed and not req <= narrowed[(t, agent)]:
                    continue
                per_tool.setdefault(tool, []).append(agent)
            if any(frm == agent for frm, _ in links[t]):
                per_tool.setdefault(SPAWN_TOOL, []).append(agent)
        approvals[t] = per_tool

    rules: list[Rule] = []
    limits: list[Limit] = []
    uids = sorted(members)
    for t in tenants:
        p = pol.get(t)
        agents = acting[t]
        tier_agents = {tier: sorted(a for a, tiers in agents.items() if tier in tiers) for tier in TIER_AGENT}
        for agent in sorted(agents):
            rules.append(Rule("unidentified", "deny", "AgentGovBench: a call without an authenticated user is refused", tenant=t, agent=agent))
            for uid in uids:
                if members[uid] != t:
                    rules.append(Rule("person", "deny", f"AgentGovBench: {uid} is not a member of {t}", tenant=t, person=uid, agent=agent))
        if p is None:
            continue
        for tier, tp in (_get(p, "defaults") or {}).items():
            if permission_of(tp) == "deny":
                for agent in tier_agents.get(tier, []):
                    rules.append(Rule("anyone", "deny", f"AgentGovBench: workspace default for tier {tier}", tenant=t, agent=agent))
            rl = _get(tp, "rate_limit_per_minute")
            if rl:
                if tier in WARDEN_TIERS:
                    limits.append(Limit("anyone", int(rl), f"AgentGovBench: {t} {tier} per user", tier=tier))
                else:
                    for agent in tier_agents.get(tier, []):
                        limits.append(Limit("anyone", int(rl), f"AgentGovBench: {t} {tier} per user", tenant=t, agent=agent))
        for tool, tiers in (_get(p, "tools") or {}).items():
            for tier, tp in tiers.items():
                eff = permission_of(tp)
                for agent in tier_agents.get(tier, []) if eff else []:
                    rules.append(Rule("anyone", eff, f"AgentGovBench: workspace policy for {tool} in tier {tier}", tenant=t, agent=agent, tool=tool))
                rl = _get(tp, "rate_limit_per_minute")
                if rl:
                    for agent in tier_agents.get(tier, []):
                        limits.append(Limit("anyone", int(rl), f"AgentGovBench: {t} {tool} {tier} per user", tenant=t, agent=agent, tool=tool))
        for uid, tiers in (_get(p, "users") or {}).items():
            for tier, tp in tiers.items():
                eff = permission_of(tp)
                for agent in tier_agents.get(tier, []) if eff else []:
                    rules.append(Rule("person", eff, f"AgentGovBench: {uid}'s policy for tier {tier}", tenant=t, person=uid, agent=agent))
                rl = _get(tp, "rate_limit_per_minute")
                if rl:
                    limits.append(Limit("person", int(rl), f"AgentGovBench: {uid} {tier}", person=uid, tier=tier if tier in WARDEN_TIERS else None))
        for uid, tool_map in (_get(p, "user_tools") or {}).items():
            for tool, tiers in tool_map.items():
                for tier, tp in tiers.items():
                    eff = permission_of(tp)
                    for agent in tier_agents.get(tier, []) if eff else []:
                        rules.append(Rule("person", eff, f"AgentGovBench: {uid}'s policy for {tool} in tier {tier}", tenant=t, person=uid, agent=agent, tool=tool))
    for uid in uids:
        for tool, req in tools.items():
            if not req <= scopes[uid]:
                missing = ", ".join(sorted(req - scopes[uid]))
                rules.append(Rule("person", "deny", f"AgentGovBench: {uid} lacks scope {missing}", person=uid, tool=tool))

    # Where Warden's ordering would answer differently from the bench's, state the bench's answer.
    rules = _dedupe(rules)
    patches: list[Rule] = []
    for t in tenants:
        p = pol.get(t)
        for agent, tiers in sorted(acting[t].items()):
            tier = sorted(tiers)[0]
            for uid in uids:
                for tool in tools:
                    want = bench_effect(p, uid, members.get(uid), t, tier, tool, scopes, tools) if p is not None else ("allow" if members.get(uid) == t else "deny")
                    if warden_effect(rules, uid, t, agent, tool) != want:
                        patches.append(Rule("person", want, f"AgentGovBench: {uid}'s effective policy for {tool} in tier {tier}", tenant=t, person=uid, agent=agent, tool=tool))
    fail_open = {t: _get(pol.get(t), "fail_mode") == "fail_open" for t in tenants}
    return Plan(tenants=tenants, members=members, emails=emails, agents=acting, approvals=approvals, links=links, rules=_dedupe(rules + patches), limits=_dedupe(limits), fail_open=fail_open)


def _dedupe(items: list) -> list:
    """One rule per key (Warden's unique index); on a clash the most restrictive effect stays."""
    out: dict[tuple, Any] = {}
    for r in items:
        k = r.key()
        if k in out and isinstance(r, Rule) and EFFECT_RANK[out[k].effect] >= EFFECT_RANK[r.effect]:
            continue
        if k in out and isinstance(r, Limit) and out[k].per_minute <= r.per_minute:
            continue
        out[k] = r
    return list(out.values())


def apply_policy_change(policies: dict[str, Any], change: Any, first_tenant: str, make_tier_policy) -> None:
    """Apply a policy_change action to the scenario's policy objects (in place)."""
    tenant = _get(change, "tenant") or first_tenant
    p = policies[tenant]
    tier = _get(change, "tier") or "interactive"
    user = _get(change, "user")
    tool = _get(change, "tool")
    if user and tool:
        slot = p.user_tools.setdefault(user, {}).setdefault(tool, {})
    elif user:
        slot = p.users.setdefault(user, {})
    elif tool:
        slot = p.tools.setdefault(tool, {})
    else:
        slot = p.defaults
    tp = slot.get(tier) or make_tier_policy()
    if _get(change, "set_permission"):
        tp.permission = _get(change, "set_permission")
    if _get(change, "set_rate_limit") is not None:
        tp.rate_limit_per_minute = _get(change, "set_rate_limit")
    slot[tier] = tp
