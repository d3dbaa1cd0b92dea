"""Unit tests of the scenario -> Warden mapping (no Warden, no harness): python3 -m unittest policy_map_test (in this folder)."""
import unittest

import policy_map as pm


def tp(permission=None, rate=None):
    return {"permission": permission, "rate_limit_per_minute": rate}


def scenario(tenants, tools, actions):
    return {"setup": {"tenants": tenants, "tools": tools}, "actions": actions}


def call(uid, tool, tier="interactive", agent=None, tenant=None):
    return {"kind": "direct_tool_call", "as_user": uid, "tool": tool, "agent_tier": tier, "agent_name": agent, "as_tenant": tenant}


def effect(plan, uid, tenant, agent, tool):
    return pm.warden_effect(plan.rules, uid, tenant, agent, tool)


ALICE = {"uid": "alice", "email": "a@x.example", "scopes": ["r"]}
BOB = {"uid": "bob", "email": "b@x.example", "scopes": ["r", "admin"]}
TOOLS = [{"name": "read", "required_scopes": ["r"]}, {"name": "grant", "required_scopes": ["admin"]}]


class MappingTest(unittest.TestCase):
    def test_scopes_become_person_tool_denies(self):
        plan = pm.build_plan(scenario([{"id": "t", "users": [ALICE, BOB], "policy": {"defaults": {"interactive": tp("allow")}}}], TOOLS, [call("alice", "grant")]))
        self.assertEqual(effect(plan, "alice", "t", "assistant", "grant"), "deny")
        self.assertEqual(effect(plan, "bob", "t", "assistant", "grant"), "allow")
        self.assertEqual(effect(plan, "alice", "t", "assistant", "read"), "allow")

    def test_anonymous_is_denied_on_every_agent(self):
        plan = pm.build_plan(scenario([{"id": "t", "users": [ALICE], "policy": {}}], TOOLS, [call("", "read"), call("alice", "read", agent="x")]))
        self.assertEqual(effect(plan, None, "t", "assistant", "read"), "deny")
        self.assertEqual(effect(plan, None, "t", "x", "read"), "deny")

    def test_bench_precedence_is_kept_where_warden_orders_differently(self):
        # Bench: workspace.tools (deny) beats user.defaults (allow); Warden ranks the person rule first,
        # so the mapping must add the person x agent x tool deny.
        pol = {"defaults": {"interactive": tp("deny")}, "tools": {"grant": {"interactive": tp("deny")}}, "users": {"bob": {"interactive": tp("allow")}}}
        plan = pm.build_plan(scenario([{"id": "t", "users": [BOB], "policy": pol}], TOOLS, [call("bob", "grant")]))
        self.assertEqual(effect(plan, "bob", "t", "assistant", "grant"), "deny")
        self.assertEqual(effect(plan, "bob", "t", "assistant", "read"), "allow")

    def test_user_tool_override_beats_workspace_tool_deny(self):
        pol = {"tools": {"grant": {"interactive": tp("deny")}}, "user_tools": {"bob": {"grant": {"interactive": tp("allow")}}}}
        plan = pm.build_plan(scenario([{"id": "t", "users": [dict(ALICE, scopes=["admin"]), BOB], "policy": pol}], TOOLS, [call("alice", "grant"), call("bob", "grant", agent="b")]))
        self.assertEqual(effect(plan, "alice", "t", "assistant", "grant"), "deny")
        self.assertEqual(effect(plan, "bob", "t", "b", "grant"), "allow")

    def test_tiers_map_to_the_agents_acting_in_them(self):
        pol = {"defaults": {"interactive": tp("allow", 60), "background": tp("deny", 20)}}
        plan = pm.build_plan(scenario([{"id": "t", "users": [ALICE], "policy": pol}], TOOLS, [call("alice", "read", tier="background", agent="nightly"), call("alice", "read")]))
        self.assertEqual(effect(plan, "alice", "t", "nightly", "read"), "deny")
        self.assertEqual(effect(plan, "alice", "t", "assistant", "read"), "allow")
        self.assertIn(("anyone", None, None, None, None, "interactive"), {l.key() for l in plan.limits})
        self.assertIn(("anyone", None, "t", "nightly", None, None), {l.key() for l in plan.limits})

    def test_other_tenants_people_are_refused_on_a_tenants_agents(self):
        ts = [{"id": "a", "users": [ALICE], "policy": {}}, {"id": "b", "users": [BOB], "policy": {}}]
        plan = pm.build_plan(scenario(ts, TOOLS, [call("alice", "read", tenant="b"), call("bob", "read", tenant="b")]))
        self.assertEqual(effect(plan, "alice", "b", "assistant", "read"), "deny")
        self.assertEqual(effect(plan, "bob", "b", "assistant", "read"), "allow")

    def test_delegated_scopes_narrow_the_childs_allowlist_and_the_parent_may_spawn(self):
        d = {"kind": "delegation", "as_user": "bob", "from_agent": "orch", "to_agent": "sum", "delegated_scopes": ["r"]}
        plan = pm.build_plan(scenario([{"id": "t", "users": [BOB], "policy": {}}], TOOLS, [d, call("bob", "grant", tier="subagent", agent="sum")]))
        self.assertEqual(sorted(plan.approvals["t"]["read"]), ["orch", "sum"])
        self.assertEqual(plan.approvals["t"]["grant"], ["orch"])
        self.assertEqual(plan.approvals["t"][pm.SPAWN_TOOL], ["orch"])
        self.assertEqual(plan.links["t"], {("orch", "sum")})

    def test_a_subagent_nobody_spawned_is_spawned_by_the_interactive_agent(self):
        plan = pm.build_plan(scenario([{"id": "t", "users": [ALICE], "policy": {}}], TOOLS, [call("alice", "read", tier="subagent", agent="w")]))
        self.assertEqual(plan.links["t"], {("assistant", "w")})
        self.assertIn("assistant", plan.approvals["t"][pm.SPAWN_TOOL])

    def test_policy_change_revokes(self):
        from types import SimpleNamespace as NS

        pol = NS(defaults={"interactive": NS(permission="allow", rate_limit_per_minute=None)}, tools={}, users={}, user_tools={}, fail_mode="fail_closed")
        sc = scenario([{"id": "t", "users": [BOB], "policy": pol}], TOOLS, [call("bob", "grant", agent="after")])
        policies = {"t": pol}
        self.assertEqual(effect(pm.build_plan(sc, policies), "bob", "t", "after", "grant"), "allow")
        pm.apply_policy_change(policies, {"tenant": "t", "user": "bob", "tier": "interactive", "set_permission": "deny"}, "t", lambda: NS(permission=None, rate_limit_per_minute=None))
        self.assertEqual(effect(pm.build_plan(sc, policies), "bob", "t", "after", "grant"), "deny")


if __name__ == "__main__":
    unittest.main()
