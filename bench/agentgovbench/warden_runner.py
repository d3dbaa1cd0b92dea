"""AgentGovBench runner for Warden (issue 21). Loaded by the harness as ``runners.warden`` (see run.mjs / agb.py).

How it drives Warden, per scenario (the mapping itself: policy_map.py and docs/agentgovbench.md):
  setup     through Warden's admin API with API tokens: a team and a gateway per tenant, the agents,
            the tools (a tool request, approved by a security lead), agent links for delegations,
            people with a sender identity, identity rules and rate-limit rules, the gateway's
            policy-expiry mode (keep_last for a fail_open tenant). Then the gateway process
            (gateway.mjs) starts a gateway per tenant: it fetches the signed policy and verifies it.
  actions   each tool call is decided by that gateway with the plugin's own code and reported to
            Warden's connector API with requester, chain and tier; a delegation is the parent's
            sessions_spawn; a policy change is an API update of the rules followed by Warden's
            pushed policy_refresh, which the runner waits for; a gateway failure makes Warden
            unreachable (or 503) for that gateway and starts a fresh gateway replica during it.
  audit     read back from Warden's tool-call API (GET /api/v1/tool-calls?gateway=...), the log an
            auditor sees; the email comes from Warden's people directory.
  teardown  stops the scenario's gateways and deletes the rules and limits it created.

Environment: WARDEN_URL, WARDEN_TOKEN (admin), WARDEN_OPERATOR_TOKEN, WARDEN_LEAD_TOKEN (tool
requests and their approval: different people), AGB_GATEWAY (path of gateway.mjs), AGB_NODE.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import sys
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Optional

import requests

from benchmark.runner import RunnerMetadata, StatefulRunner
from benchmark.types import (
    Action,
    AuditEntry,
    DirectToolCall,
    Delegation,
    GatewayFailure,
    ParallelFanOut,
    PolicyChange,
    Scenario,
    TierPolicy,
    ToolOutcome,
)

sys.path.insert(0, str(Path(__file__).resolve().parent))
import policy_map as pm  # noqa: E402

CHANNEL = "agentgovbench"
# Admin API paths (one place, so a renamed route is one edit).
API = {
    "teams": "/api/v1/teams",
    "people": "/api/v1/people",
    "person": "/api/v1/people/{id}",
    "rules": "/api/v1/identity-rules",
    "rule": "/api/v1/identity-rules/{id}",
    "limits": "/api/v1/rate-limits",
    "limit": "/api/v1/rate-limits/{id}",
}


class Shim:
    """One gateway replica (gateway.mjs: the plugin in a stand-in host); one JSON line per request and per answer."""

    def __init__(self, node: str, script: str, env: dict[str, str]) -> None:
        self.dir = env["AGB_STATE_DIR"]
        self._p = subprocess.Popen([node, script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=sys.stderr, text=True, bufsize=1, env={**os.environ, **env})
        self._n = 0
        line = self._p.stdout.readline() if self._p.stdout else ""
        if not line or not json.loads(line).get("ok"):
            raise RuntimeError(f"the gateway did not start: {line!r}")

    def op(self, name: str, **args: Any) -> Any:
        self._n += 1
        assert self._p.stdin and self._p.stdout
        self._p.stdin.write(json.dumps({"id": self._n, "op": name, "args": args}) + "\n")
        self._p.stdin.flush()
        line = self._p.stdout.readline()
        if not line:
            raise RuntimeError("the gateway process exited")
        msg = json.loads(line)
        if not msg.get("ok"):
            raise RuntimeError(f"gateway {name}: {msg.get('error')}")
        return msg["result"]

    def close(self) -> None:
        try:
            self.op("stop")
            self._p.wait(timeout=5)
        except Exception:
            self._p.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


class Warden:
    """Warden's admin API with bearer tokens; errors carry the answer's text."""

    def __init__(self, url: str, token: str, operator: str, lead: str) -> None:
        self.url = url.rstrip("/")
        self.tokens = {"admin": token, "operator": operator or token, "lead": lead or token}
        self.s = requests.Session()

    def call(self, method: str, path: str, body: Any = None, who: str = "admin", ok=(200, 201, 204), params: Optional[dict] = None) -> Any:
        r = self.s.request(method, self.url + path, json=body, params=params, headers={"authorization": f"Bearer {self.tokens[who]}"}, timeout=30)
        if r.status_code not in ok:
            raise RuntimeError(f"{method} {path} -> {r.status_code}: {r.text[:400]}")
        return r.json() if r.text else None


class Directory:
    """Warden's people directory (its HTTP API)."""

    def __init__(self, w: Warden) -> None:
        self.w = w

    def create_person(self, body: dict) -> str:
        return self.w.call("POST", API["people"], body)["data"]["id"]

    def update_person(self, person_id: str, body: dict) -> None:
        self.w.call("PATCH", API["person"].format(id=person_id), body)

    def person(self, person_id: str) -> dict:
        return self.w.call("GET", API["person"].format(id=person_id)).get("data") or {}


class Runner(StatefulRunner):
    """Warden, driven the way an OpenClaw gateway with the Warden plugin drives it."""

    _run = uuid.uuid4().hex[:6]
    _count = 0
    _people: dict[str, dict[str, Any]] = {}

    def __init__(self) -> None:
        super().__init__()
        url = os.environ.get("WARDEN_URL", "http://127.0.0.1:3246")
        self.w = Warden(url, os.environ["WARDEN_TOKEN"], os.environ.get("WARDEN_OPERATOR_TOKEN", ""), os.environ.get("WARDEN_LEAD_TOKEN", ""))
        here = Path(__file__).resolve().parent
        self._node = os.environ.get("AGB_NODE", "node")
        self._script = os.environ.get("AGB_GATEWAY", str(here / "gateway.mjs"))
        self._url = url
        # Warden's policy-signing key, pinned in every gateway's configuration (the plugin's wardenPublicKey).
        self._key = requests.get(f"{url.rstrip('/')}/api/v1/connector/public-key", timeout=30).json()["publicKeyPem"]
        self._state: dict[str, Any] = {}
        self._shims: dict[str, Shim] = {}
        self.directory = Directory(self.w)

    @property
    def metadata(self) -> RunnerMetadata:
        return RunnerMetadata(
            name="warden",
            version="0.1.0",
            product="Warden (self-hosted agent governance console) with its OpenClaw plugin's decision code",
            vendor=None,
            notes=(
                "Policy set through Warden's admin API (teams, gateways, agents, approved tools, agent links, "
                "people, identity rules, rate limits); each call decided by a gateway process running the "
                "plugin's decide()/identity code on the signed, verified policy and reported to the connector "
                "API; audit read from Warden's tool-call API. Mapping and declinations: docs/agentgovbench.md."
            ),
            declined_categories={},
        )

    # ── setup ────────────────────────────────────────────────────────────

    def setup(self, scenario: Scenario) -> None:
        super().setup(scenario)
        Runner._count += 1
        tag = f"agb{Runner._run}-{Runner._count:02d}"
        self._state = {
            "tag": tag,
            "start": datetime.now(timezone.utc) - timedelta(seconds=5),
            "teams": {},
            "gateways": {},
            "agents": {},
            "people": {},
            "rules": {},
            "limits": {},
            "outage_until": 0.0,
            "outage": None,
        }
        self._policies = {t.id: t.policy for t in scenario.setup.tenants}
        plan = pm.build_plan(scenario, self._policies)
        self._plan = plan
        try:
            self._install(plan)
        except Exception as e:  # a setup failure is the product's, reported as such
            self._errors.append(f"setup: {e}")

    def _install(self, plan: pm.Plan) -> None:
        st = self._state
        tag = st["tag"]
        for t in plan.tenants:
            team = self.w.call("POST", API["teams"], {"name": f"{tag}-{t}", "description": f"AgentGovBench tenant {t}"})["data"]
            st["teams"][t] = team["id"]
            g = self.w.call("POST", "/api/v1/gateways", {"name": pm.slug(f"{tag}-{t}"), "kind": "openclaw", "environment": "agentgovbench"})["data"]
            gid = g["gateway"]["id"]
            st["gateways"][t] = {"id": gid, "secret": g["signingSecret"], "name": f"{tag}-{t}"}
            self._assign_team(gid, team["id"])
            if plan.fail_open.get(t):
                self.w.call("POST", f"/api/v1/gateways/{gid}/policy-expiry", {"ttlHours": None, "onExpiry": "keep_last"})
            for agent in sorted(plan.agents[t]):
                a = self.w.call("POST", "/api/v1/agents", {
                    "name": pm.slug(f"{tag}-{t}-{agent}")[:80],
                    "externalId": agent,
                    "owner": "agentgovbench",
                    "purpose": f"AgentGovBench agent {agent} of {t}",
                    "teamId": team["id"],
                    "gatewayId": gid,
                })["data"]
                st["agents"][(t, agent)] = a["id"]
            for frm, to in sorted(plan.links[t]):
                self.w.call("POST", "/api/v1/agent-links", {"fromAgentId": st["agents"][(t, frm)], "toAgentId": st["agents"][(t, to)], "reason": "AgentGovBench delegation in this scenario"})
            for tool, agents in sorted(plan.approvals[t].items()):
                self._approve(tool, [st["agents"][(t, a)] for a in agents])
        # The benchmark's users are the same people from one scenario to the next (emails are unique in
        # Warden's directory): created once, moved to the scenario's team.
        for uid, tenant in sorted(plan.members.items()):
            team_id = st["teams"].get(tenant)
            email = plan.emails.get(uid) or ""
            known = Runner._people.get(uid)
            if known is None:
                pid = self.directory.create_person({"displayName": uid, "email": email, "teamId": team_id, "identities": [{"channel": CHANNEL, "senderId": uid}]})
                Runner._people[uid] = {"id": pid, "team": team_id, "email": email}
            elif known["team"] != team_id or known["email"] != email:
                self.directory.update_person(known["id"], {"teamId": team_id, "email": email})
                known.update(team=team_id, email=email)
            st["people"][uid] = Runner._people[uid]["id"]
        self._sync(plan)
        for t in plan.tenants:
            self._start_gateway(t, "up")
            r = self._shims[t].op("awaitPolicy", timeoutMs=20000)
            if r.get("timedOut"):
                self._errors.append(f"gateway {t}: no verified policy within 20 s of its start")

    def _start_gateway(self, tenant: str, fault: str) -> None:
        """A gateway replica with an empty disk (a new one replaces the old: it flushed first)."""
        old = self._shims.pop(tenant, None)
        if old:
            old.close()
        g = self._state["gateways"][tenant]
        self._shims[tenant] = Shim(self._node, self._script, {
            "WARDEN_URL": self._url,
            "AGB_GATEWAY_ID": g["id"],
            "AGB_SIGNING_SECRET": g["secret"],
            "AGB_PUBLIC_KEY": self._key,
            "AGB_FAIL_OPEN": "1" if self._plan.fail_open.get(tenant) else "0",
            "AGB_STATE_DIR": tempfile.mkdtemp(prefix="agb-gateway-"),
            "AGB_FAULT": fault,
        })

    def _assign_team(self, gateway_id: str, team_id: str) -> None:
        self.w.call("POST", "/api/v1/teams/assign", {"kind": "gateway", "id": gateway_id, "teamId": team_id})

    def _approve(self, tool: str, agent_ids: list[str]) -> None:
        tag = self._state["tag"]
        req = self.w.call("POST", "/api/v1/tool-requests", {
            "tool": {"name": tool, "kind": "tool", "source": "internal", "publisher": "AgentGovBench"},
            "version": f"{tag}",
            "contentHash": hashlib.sha256(f"{tag}:{tool}".encode()).hexdigest(),
            "permissions": {},
            "justification": "AgentGovBench scenario tool",
            "agentIds": agent_ids,
        }, who="operator")["data"]
        self.w.call("POST", f"/api/v1/tool-requests/{req['id']}/decision", {
            "outcome": "approve",
            "reason": "AgentGovBench scenario tool, no side effects",
            "checklist": {"authorVerified": True, "vulnHistoryChecked": True, "dependencyAuditRun": True, "dependencyAuditResult": "none", "permissionsNarrowed": True, "credEgressFlagged": False},
        }, who="lead")

    def _rule_body(self, r: pm.Rule) -> dict[str, Any]:
        st = self._state
        return {
            "subject": r.subject,
            **({"personId": st["people"][r.person]} if r.person else {}),
            **({"agentId": st["agents"][(r.tenant, r.agent)]} if r.agent else {}),
            **({"toolName": r.tool} if r.tool else {}),
            "effect": r.effect,
            "reason": r.reason,
        }

    def _limit_body(self, l: pm.Limit) -> dict[str, Any]:
        st = self._state
        return {
            "subject": l.subject,
            **({"personId": st["people"][l.person]} if l.person else {}),
            **({"agentId": st["agents"][(l.tenant, l.agent)]} if l.agent else {}),
            **({"toolName": l.tool} if l.tool else {}),
            **({"tier": l.tier} if l.tier else {}),
            "perMinute": l.per_minute,
            "shared": False,
            "reason": l.reason,
        }

    def _sync(self, plan: pm.Plan) -> set[str]:
        """Make Warden's rules and limits those of the plan; returns the tenants whose gateways must refresh."""
        st = self._state
        touched: set[str] = set()
        mark = lambda item: touched.update(plan.tenants if getattr(item, "agent", None) is None else [item.tenant])  # noqa: E731
        for kind, items, body_of in (("rules", plan.rules, self._rule_body), ("limits", plan.limits, self._limit_body)):
            have: dict[tuple, tuple[str, Any]] = st[kind]
            want = {i.key(): i for i in items}
            for k, (rid, old) in list(have.items()):
                if k not in want:
                    self.w.call("DELETE", API[kind[:-1]].format(id=rid), {})
                    del have[k]
                    mark(old)
            for k, item in want.items():
                if k in have:
                    if have[k][1] != item:
                        body = body_of(item)
                        self.w.call("PATCH", API[kind[:-1]].format(id=have[k][0]), {k2: v for k2, v in body.items() if k2 in ("effect", "reason", "perMinute", "shared")})
                        have[k] = (have[k][0], item)
                        mark(item)
                    continue
                created = self.w.call("POST", API[kind], body_of(item))["data"]
                have[k] = (created["id"], item)
                mark(item)
        return touched

    # ── actions ──────────────────────────────────────────────────────────

    def _tenant_of(self, t: Optional[str]) -> str:
        return t or pm.default_tenant(self._scenario)

    def _gw(self, tenant: str) -> Shim:
        return self._shims[tenant]

    def _session(self, tenant: str, agent: str, uid: str, tier: str) -> str:
        """The session a call runs in: a spawned sub-agent's, else (for a sub-agent call nobody spawned) one the
        tenant's interactive agent spawns now, else the agent's own session with this sender."""
        children = self._state.setdefault("children", {})
        if (tenant, agent, uid) in children:
            return children[(tenant, agent, uid)]
        if tier == "subagent" and agent != pm.TIER_AGENT["interactive"]:
            child = self._spawn(tenant, pm.TIER_AGENT["interactive"], agent, uid, "sub-agent task")
            if child:
                return child
        if tier == "background":
            return f"agent:{agent}:cron:agb-{uid or 'job'}"
        return f"agent:{agent}:{CHANNEL}:direct:{uid}" if uid else f"agent:{agent}:main"

    def _spawn(self, tenant: str, parent: str, child: str, uid: str, task: str) -> Optional[str]:
        parent_session = self._session(tenant, parent, uid, "interactive")
        r = self._gw(tenant).op("spawn", agentId=parent, sessionKey=parent_session, requester=self._requester(uid), childAgentId=child, task=task)
        if not r["allowed"]:
            self._state.setdefault("refused_spawns", []).append((parent, child, r.get("reason")))
            return None
        self._state.setdefault("children", {})[(tenant, child, uid)] = r["childSessionKey"]
        return r["childSessionKey"]

    def _requester(self, uid: str) -> Optional[dict[str, str]]:
        # The sender as the channel reports it; an empty uid is a call without an authenticated user.
        return {"channel": CHANNEL, "senderId": uid} if uid else None

    def _outage_check(self) -> None:
        o = self._state.get("outage")
        if o and time.time() >= self._state["outage_until"]:
            self._end_outage()

    def _end_outage(self) -> None:
        if not self._state.get("outage"):
            return
        for t in self._plan.tenants:
            self._gw(t).op("fault", mode="up")
        self._state["outage"] = None
        for t in self._plan.tenants:
            r = self._gw(t).op("awaitPolicy", timeoutMs=20000)
            if r.get("timedOut"):
                self._errors.append(f"gateway {t}: no policy within 20 s of Warden's recovery")

    def execute_action(self, action: Action) -> Optional[ToolOutcome]:
        if self._errors and not self._state.get("gateways"):
            return None
        self._outage_check()
        try:
            if isinstance(action, DirectToolCall):
                return self._direct(action)
            if isinstance(action, ParallelFanOut):
                return self._fan_out(action)
            if isinstance(action, Delegation):
                self._delegate(action)
            elif isinstance(action, PolicyChange):
                self._policy_change(action)
            elif isinstance(action, GatewayFailure):
                self._failure(action)
        except Exception as e:
            self._errors.append(f"{type(action).__name__}: {e}")
        return None

    def _outcome(self, a: DirectToolCall, tenant: str, r: dict[str, Any]) -> ToolOutcome:
        o = ToolOutcome(tool=a.tool, input=a.input, as_user=a.as_user, as_tenant=tenant, allowed=bool(r["allowed"]), reason=r.get("reason"), agent_tier=a.agent_tier, agent_name=a.agent_name)
        self._tool_outcomes.append(o)
        return o

    def _direct(self, a: DirectToolCall) -> ToolOutcome:
        tenant = self._tenant_of(a.as_tenant)
        if self._state.get("outage"):
            self._gateway_reachable = False
        agent = pm.call_agent(a.agent_name, a.agent_tier)
        session = self._session(tenant, agent, a.as_user, a.agent_tier)
        r = self._gw(tenant).op("call", agentId=agent, sessionKey=session, toolName=a.tool, params=a.input or {}, requester=self._requester(a.as_user))
        self._flush(tenant)
        return self._outcome(a, tenant, r)

    def _fan_out(self, a: ParallelFanOut) -> Optional[ToolOutcome]:
        """The tenant's interactive agent spawns K workers; their N calls each are interleaved, as if concurrent."""
        tenant = self._tenant_of(a.as_tenant)
        req = self._requester(a.as_user)
        workers = [f"worker-{i}" for i in range(a.worker_count)]
        sessions = {w: self._spawn(tenant, pm.TIER_AGENT["interactive"], w, a.as_user, "parallel fan-out") for w in workers}
        if self._state.get("outage"):
            self._gateway_reachable = False
        calls = [{"agentId": w, "sessionKey": sessions[w] or f"agent:{w}:subagent:unspawned", "toolName": a.tool, "params": a.input or {}, **({"requester": req} if req else {})}
                 for w in (workers[i % a.worker_count] for i in range(a.worker_count * a.calls_per_worker))]
        results = self._gw(tenant).op("calls", calls=calls)["results"]
        self._flush(tenant)
        last = None
        for c, r in zip(calls, results):
            last = self._outcome(DirectToolCall(tool=a.tool, input=a.input, as_user=a.as_user, as_tenant=a.as_tenant, agent_tier="subagent", agent_name=c["agentId"]), tenant, r)
        return last

    def _delegate(self, a: Delegation) -> None:
        tenant = self._tenant_of(a.as_tenant)
        # The parent's sessions_spawn; refused, the child never exists (recorded at Warden like any blocked call).
        self._spawn(tenant, a.from_agent, a.to_agent, a.as_user, a.task)
        self._flush(tenant)

    def _policy_change(self, a: PolicyChange) -> None:
        before = {t: self._gw(t).op("status")["policyVersion"] for t in self._plan.tenants}
        pm.apply_policy_change(self._policies, a, pm.default_tenant(self._scenario), TierPolicy)
        plan = pm.build_plan(self._scenario, self._policies)
        self._plan = plan
        touched = self._sync(plan)
        # Warden pushes a policy_refresh to each gateway whose policy changed; wait for it to arrive.
        for t in sorted(touched):
            r = self._gw(t).op("awaitPolicy", notVersion=before[t], timeoutMs=15000)
            if r.get("timedOut"):
                self._errors.append(f"policy change: gateway {t} still on its old policy after 15 s")

    def _failure(self, a: GatewayFailure) -> None:
        """Warden unreachable (or 503) for `duration_seconds`; a fresh gateway replica starts meanwhile (no policy yet)."""
        st = self._state
        for t in self._plan.tenants:
            self._flush(t)
            self._gw(t).op("fault", mode=a.mode)
            self._start_gateway(t, a.mode)
        st["outage"] = a.mode
        st["outage_until"] = time.time() + a.duration_seconds
        st["children"] = {}
        if a.duration_seconds <= 10:
            # A short outage: the next action comes after it, once the gateway has its policy again.
            time.sleep(a.duration_seconds)
            self._end_outage()

    def _flush(self, tenant: str) -> None:
        if self._state.get("outage"):
            return  # spooled; delivered when Warden is back
        r = self._gw(tenant).op("flush", timeoutMs=15000)
        if r.get("pending"):
            self._errors.append(f"events not accepted by Warden within 15 s: {r.get('log')}")

    # ── audit ────────────────────────────────────────────────────────────

    def audit_log(self) -> list[AuditEntry]:
        try:
            return self._read_audit()
        except Exception as e:  # an unreadable log is the product's failure, scored as such
            self._errors.append(f"audit: {e}")
            return []
        finally:
            for e in self._errors:
                print(f"    runner error: {e}"[:1500], file=sys.stderr)

    def _read_audit(self) -> list[AuditEntry]:
        st = self._state
        if not st.get("gateways"):
            return []
        # The outage ends before the log is read: the spooled events reach Warden then.
        self._end_outage()
        for t in self._plan.tenants:
            self._flush(t)
        emails: dict[str, Optional[str]] = {}
        tenant_of_team = {v: k for k, v in st["teams"].items()}
        out: list[AuditEntry] = []
        for t in self._plan.tenants:
            gid = st["gateways"][t]["id"]
            page = 1
            while True:
                res = self.w.call("GET", "/api/v1/tool-calls", params={"gateway": gid, "from": st["start"].isoformat(), "pageSize": 200, "page": page, "dir": "asc"})
                rows = res.get("data") or []
                for row in rows:
                    out.append(self._entry(row, t, tenant_of_team, emails))
                if len(rows) < 200:
                    break
                page += 1
        out.sort(key=lambda e: e.timestamp)
        return out

    def _email(self, person_id: Optional[str], cache: dict[str, Optional[str]]) -> Optional[str]:
        if not person_id:
            return None
        if person_id not in cache:
            try:
                cache[person_id] = self.directory.person(person_id).get("email")
            except Exception as e:
                self._errors.append(f"person {person_id}: {e}")
                cache[person_id] = None
        return cache[person_id]

    def _entry(self, row: dict[str, Any], gateway_tenant: str, tenant_of_team: dict[str, str], emails: dict) -> AuditEntry:
        requester = row.get("requester") or {}
        team = row.get("teamId")
        person = row.get("person") or {}
        person_id = row.get("personId") or person.get("id")
        email = person.get("email") if "email" in person else self._email(person_id, emails)
        decision = {"allowed": "allow", "blocked": "deny"}.get(row.get("decision"), "deny")
        event = str(row.get("eventId") or "")
        return AuditEntry(
            timestamp=str(row.get("occurredAt") or ""),
            # The call's team when the log carries it, else its gateway's (each tenant has its own gateway in its team).
            tenant=tenant_of_team.get(team, gateway_tenant) if team else gateway_tenant,
            actor_uid=requester.get("senderId"),  # who asked, as the channel named them (extra.requester_kind: in the directory or not)
            actor_email=email,
            tool=row.get("toolName") or "",
            decision=decision,
            reason=row.get("blockReason"),
            trace_id=event.rsplit(".", 1)[0] if event else str(row.get("id") or "") or None,
            delegation_chain=list(row.get("chain") or []),
            extra={k: v for k, v in {
                "warden_call_id": row.get("id"),
                "agent": row.get("agentId"),
                "agent_name": row.get("agentName"),
                "gateway": row.get("gatewayName"),
                "session": row.get("sessionKey"),
                "requester_kind": row.get("requesterKind"),
                "person_id": person_id,
                "person": row.get("personName"),
                "team_id": team,
                "tier": row.get("tier"),
            }.items() if v is not None},
        )

    # ── teardown ─────────────────────────────────────────────────────────

    def teardown(self) -> None:
        st = self._state
        for t, shim in list(self._shims.items()):
            shim.close()
            del self._shims[t]
        # Rules and limits that name no agent apply to every gateway: none may outlive its scenario.
        for kind in ("rules", "limits"):
            for _k, (rid, _item) in list(st.get(kind, {}).items()):
                try:
                    self.w.call("DELETE", API[kind[:-1]].format(id=rid), {})
                except Exception:
                    pass
            st[kind] = {}
