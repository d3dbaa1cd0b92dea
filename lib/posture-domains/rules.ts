/**
 * Scoring of the twelve practice domains from what Warden knows (registry, gateway inventory and
 * security audits, findings, telemetry rollup). Pure: ./facts loads the facts, this turns them into
 * checks with evidence links and next steps. Each domain cites the seed sections it follows:
 *   [F]  "Why AI Agent Security Is Different…" — the 12-domain framework (seed 001), sections 1–12
 *   [E]  "Strategic Partnerships…" — ecosystem trust (seed 000)
 *   [S]  "Security for Agentic Systems" — agentic threats and controls (seed 002)
 *   [Z]  "Zero Trust for OpenClaw" — seven layers (seed 003)
 *   [P]  "Action Items for Agent Platform Security" (seed 004)
 */
import { isWeakModel, type PostureFlag } from "@/lib/agents/posture";
import { DOMAIN_IDS, type DomainId, type FleetPosture, type PostureDomain, type PostureItem, type PostureStatus } from "./types";

export type AgentFact = {
  id: string;
  name: string;
  scope: "internal" | "external";
  model: string | null;
  fallbackModels: string[];
  credentialRefs: string[];
  channels: string[];
  posture: { execMode?: string; canDelegate?: boolean; fsWorkspaceOnly?: boolean; dmPolicy?: string; groupPolicy?: string };
  /** Bundles plus active grants: how many ways the agent has to approved tools. */
  allowances: number;
  flags: PostureFlag[];
  budget: { enabled: boolean; onLimit: string } | null;
  hasLlmFlow: boolean;
};

export type GatewayFact = {
  id: string;
  name: string;
  adminWsUrl: string | null;
  lastSeenAt: Date | null;
  signed: boolean;
  secretSetAt: Date;
  hasInventory: boolean;
  hasAudit: boolean;
  /** Plugins, skills and MCP servers in the inventory without a content hash. */
  unpinned: number;
  calls24h: boolean;
};

/** Open posture findings of one check, over the fleet. */
export type CheckFact = { checkId: string; fromAudit: boolean; severity: "low" | "medium" | "high" | "critical"; count: number; gateways: number; sampleGatewayId: string | null; sampleTitle: string };

export type PlaybookFact = { id: string; name: string; trigger: string; lastDrillAt: Date | null; contacts: number; breakGlass: boolean; steps: number };

export type PostureFacts = {
  now: Date;
  /** Active agents (suspended and quarantined ones run nothing). */
  agents: AgentFact[];
  gateways: GatewayFact[];
  checks: CheckFact[];
  findings: { unapprovedOpen: number; unapproved7d: number; hashDrift: number; egress: number };
  fleetBudget: { enabled: boolean; onLimit: string; dailyUsd: string } | null;
  spendTodayUsd: string;
  webhooks: { enabled: number; plainHttp: number; budgetAlerts: boolean; dead7d: number };
  tools: { advisoryFlagged: number; approvalsWithoutDependencyAudit: number; overdueReReviews: number };
  integrations: { total: number; advisoryFlagged: number; overdue: number; withoutContact: number };
  flows: { proposed: number; restrictedNotApproved: number; confidentialNotApproved: number };
  playbooks: PlaybookFact[];
  incidents: { open: number; contained: number };
  escalations: number;
  audit: { lastEventAt: Date | null; exports90d: number };
  /** Calls of delegation tools (sessions_spawn, sessions_send, …) in 7 days, per agent key. */
  delegationCalls: { agentKey: string; agentName: string; calls: number }[];
};

const DAY = 86_400_000;
const POINTS: Record<PostureStatus, number | null> = { good: 100, warn: 50, bad: 0, unknown: null };
const RANK: Record<PostureStatus, number> = { unknown: 0, good: 1, warn: 2, bad: 3 };

/** "a, b, c and 4 more" */
function names(list: string[], max = 3): string {
  const shown = list.slice(0, max);
  if (list.length <= max) return shown.length > 1 ? `${shown.slice(0, -1).join(", ")} and ${shown.at(-1)}` : (shown[0] ?? "");
  return `${shown.join(", ")} and ${list.length - max} more`;
}
const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString("en")} ${n === 1 ? one : many}`;
/** The verb form agreeing with how many things a sentence is about. */
const agree = (n: number | unknown[], one: string, many: string) => ((Array.isArray(n) ? n.length : n) === 1 ? one : many);
/** "the one gateway" / "all 3 gateways" */
const allOf = (n: number, one: string, many = `${one}s`) => (n === 1 ? `the one ${one}` : `all ${n.toLocaleString("en")} ${many}`);
const cap = (t: string) => t.charAt(0).toUpperCase() + t.slice(1);

const agentsHref = (list: { id: string }[]) => (list.length === 1 ? `/agents/${list[0].id}` : "/agents");
const gatewaysHref = (list: { id: string }[]) => (list.length === 1 ? `/gateways/${list[0].id}` : "/gateways");
function findingsHref(p: { kind: string; q?: string; gateway?: string | null }): string {
  const sp = new URLSearchParams({ kind: p.kind, status: "open" });
  if (p.q) sp.set("q", p.q);
  if (p.gateway) sp.set("gateway", p.gateway);
  return `/findings?${sp.toString()}`;
}

function item(id: string, check: string, status: PostureStatus, detail: string, evidenceHref: string, nextStep: string): PostureItem {
  return { id, check, status, detail, evidenceHref, nextStep };
}

// ───────── OpenClaw security-audit checks, sorted into domains by their check id ─────────

const AUDIT_DOMAINS: [RegExp, DomainId][] = [
  [/^(fs|secrets?|credentials?|config\.secrets?|env|auth)\b/i, "secrets"],
  [/^(gateway|browser|tailscale|network|nodes|canvas|proxy)\b/i, "network"],
  [/^(tools|sandbox|exec|elevated|agents?)\b/i, "scoping"],
  [/^(channels?|dm|groups?|security\.trust_model|session)\b/i, "channels"],
  [/^models?\b/i, "models"],
  [/^(subagents?|sessions_|a2a)/i, "inter_agent"],
  [/^(hooks?|webhooks?)\b/i, "webhooks"],
  [/^(logging|logs?|audit)\b/i, "logging"],
  [/^(plugins?|skills?|extensions?|mcp|deps|dependenc|npm|version|update)/i, "dependencies"],
  [/^(cron|cost|usage|budget)\b/i, "cost"],
];

export function auditDomainOf(checkId: string): DomainId {
  return AUDIT_DOMAINS.find(([re]) => re.test(checkId))?.[1] ?? "network";
}

/**
 * One item summarising the open OpenClaw security-audit findings that fall in `domain`. Before any
 * gateway has sent an audit, only the network domain says so (once is enough).
 */
function auditItems(f: PostureFacts, domain: DomainId, what: string): PostureItem[] {
  const audited = f.gateways.some((g) => g.hasAudit);
  const hasChecks = f.checks.some((c) => c.fromAudit && auditDomainOf(c.checkId) === domain);
  if (!audited && !hasChecks && domain !== "network") return [];
  return [auditItem(f, domain, what)];
}

function auditItem(f: PostureFacts, domain: DomainId, what: string): PostureItem {
  const checks = f.checks.filter((c) => c.fromAudit && auditDomainOf(c.checkId) === domain);
  const audited = f.gateways.filter((g) => g.hasAudit).length;
  const check = `OpenClaw security audit: no open ${what} findings`;
  if (!checks.length) {
    if (!audited)
      return item(
        `audit_${domain}`,
        check,
        "unknown",
        "No gateway has sent `openclaw security audit` results yet.",
        "/gateways",
        "Run the Warden connector with the security audit enabled on each gateway.",
      );
    return item(
      `audit_${domain}`,
      check,
      "good",
      `No open ${what} findings from the audits of ${plural(audited, "gateway")}.`,
      findingsHref({ kind: "posture" }),
      "Keep running `openclaw security audit --deep` after every upgrade or config change.",
    );
  }
  const critical = checks.some((c) => c.severity === "critical" || c.severity === "high");
  const total = checks.reduce((n, c) => n + c.count, 0);
  const one = checks.length === 1 ? checks[0] : null;
  return item(
    `audit_${domain}`,
    check,
    critical ? "bad" : "warn",
    `${plural(total, "open finding")}: ${names(checks.map((c) => `${c.checkId} (${c.count})`))}.`,
    findingsHref({ kind: "posture", q: one && one.count === 1 ? one.sampleTitle : undefined, gateway: one && one.gateways === 1 ? one.sampleGatewayId : undefined }),
    "Open each finding, apply the audit's remediation on the gateway (or `openclaw security audit --fix`), then let the next inventory push confirm it.",
  );
}

/** An item over the open findings of one Warden-derived check (from the gateways' inventory). */
function wardenCheck(f: PostureFacts, checkId: string) {
  const c = f.checks.find((x) => !x.fromAudit && x.checkId === checkId);
  return c ?? null;
}

const inventoried = (f: PostureFacts) => f.gateways.filter((g) => g.hasInventory);
const STALE_MS = 15 * 60_000;
const seenRecently = (f: PostureFacts, g: GatewayFact) => g.lastSeenAt !== null && f.now.getTime() - g.lastSeenAt.getTime() <= STALE_MS;

// ───────── the twelve domains ─────────

// [F] §1 Network Architecture and Access Control; [P] §2 Network Controls; [Z] §3 micro-segmentation.
function network(f: PostureFacts): PostureItem[] {
  const items: PostureItem[] = [];
  const inv = inventoried(f);
  const bind = wardenCheck(f, "warden.bind_beyond_loopback");
  if (!f.gateways.length) items.push(item("bind", "Gateways listen on loopback only", "unknown", "No gateway is registered.", "/gateways", "Register your gateways and install the Warden connector."));
  else if (bind)
    items.push(
      item(
        "bind",
        "Gateways listen on loopback only",
        "bad",
        `${plural(bind.gateways, "gateway")} ${agree(bind.gateways, "listens", "listen")} beyond loopback (reachable from other machines).`,
        findingsHref({ kind: "posture", q: "Gateway bound beyond loopback", gateway: bind.gateways === 1 ? bind.sampleGatewayId : null }),
        'Set gateway.bind to "loopback" and reach the gateway through a reverse proxy with TLS, a tunnel or a tailnet.',
      ),
    );
  else if (!inv.length)
    items.push(
      item(
        "bind",
        "Gateways listen on loopback only",
        "unknown",
        "No gateway has pushed its inventory, so Warden cannot see its bind address.",
        "/gateways",
        "Install the Warden connector so each gateway reports its configuration.",
      ),
    );
  else
    items.push(
      item(
        "bind",
        "Gateways listen on loopback only",
        "good",
        `${cap(allOf(inv.length, "gateway"))} with an inventory ${agree(inv.length, "listens", "listen")} on loopback.`,
        "/gateways",
        "Keep gateway.bind on loopback; expose dashboards only through an authenticated proxy.",
      ),
    );

  const clearWs = f.gateways.filter((g) => g.adminWsUrl && isPlainRemoteWs(g.adminWsUrl));
  const withWs = f.gateways.filter((g) => g.adminWsUrl);
  if (clearWs.length)
    items.push(
      item(
        "admin_ws",
        "Admin WebSockets are encrypted or local",
        "bad",
        `${names(clearWs.map((g) => g.name))} ${agree(clearWs, "uses", "use")} ws:// to a non-loopback host: the admin token crosses the network in clear text.`,
        gatewaysHref(clearWs),
        "Use wss:// (TLS) or a loopback address reached through a tunnel for the admin WebSocket.",
      ),
    );
  else
    items.push(
      item(
        "admin_ws",
        "Admin WebSockets are encrypted or local",
        f.gateways.length ? "good" : "unknown",
        withWs.length ? `${cap(allOf(withWs.length, "admin WebSocket"))} ${agree(withWs.length, "uses", "use")} TLS or loopback.` : "No gateway has an admin WebSocket configured.",
        "/gateways",
        "Keep admin WebSockets on wss:// or loopback.",
      ),
    );

  const stale = f.gateways.filter((g) => !seenRecently(f, g));
  items.push(
    stale.length
      ? item(
          "reachable",
          "Every gateway reports to Warden",
          "warn",
          `${names(stale.map((g) => g.name))} ${stale.length === 1 ? "has" : "have"} not been seen in the last 15 minutes.`,
          gatewaysHref(stale),
          "Check the connector on these gateways; a silent gateway cannot receive kill switches.",
        )
      : item(
          "reachable",
          "Every gateway reports to Warden",
          f.gateways.length ? "good" : "unknown",
          f.gateways.length ? `${cap(allOf(f.gateways.length, "gateway"))} checked in within 15 minutes.` : "No gateway is registered.",
          "/gateways",
          "Alert on gateways that stop reporting.",
        ),
  );
  items.push(...auditItems(f, "network", "network exposure"));
  return items;
}

/** ws:// to anything but loopback (wss:// and loopback are fine). */
export function isPlainRemoteWs(url: string): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.protocol !== "ws:") return false;
  const host = u.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return !(host === "localhost" || host.endsWith(".localhost") || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host));
}

// [F] §2 Secrets Management, §3 credential isolation; [P] §3 Credentials; [S] Credential Sanitization.
function secrets(f: PostureFacts): PostureItem[] {
  const items: PostureItem[] = [];
  const shared = f.agents.filter((a) => a.flags.some((x) => x.id.startsWith("shared-credential:")));
  const refs = [...new Set(shared.flatMap((a) => a.flags.filter((x) => x.id.startsWith("shared-credential:")).map((x) => x.id.slice("shared-credential:".length))))];
  if (!f.agents.length)
    items.push(item("isolated", "Each agent has its own credentials", "unknown", "No active agent is registered.", "/agents", "Register your agents with the names of the secrets they use."));
  else if (shared.length)
    items.push(
      item(
        "isolated",
        "Each agent has its own credentials",
        "bad",
        `${plural(refs.length, "credential")} shared between agents (${names(refs)}), used by ${names(shared.map((a) => a.name))}.`,
        agentsHref(shared),
        "Issue a separate credential per agent so one can be revoked without stopping the others.",
      ),
    );
  else
    items.push(
      item(
        "isolated",
        "Each agent has its own credentials",
        "good",
        `No credential is shared among ${plural(f.agents.length, "active agent")}.`,
        "/agents",
        "Keep injecting per-agent secrets (SecretRef / per-agent env files).",
      ),
    );

  const unrecorded = f.agents.filter((a) => a.credentialRefs.length === 0 && a.allowances > 0);
  if (f.agents.length)
    items.push(
      unrecorded.length
        ? item(
            "recorded",
            "Every tool-using agent's secrets are recorded by name",
            "warn",
            `${names(unrecorded.map((a) => a.name))} ${agree(unrecorded, "uses tools but has", "use tools but have")} no credential references recorded, so a leak cannot be traced to them.`,
            agentsHref(unrecorded),
            "Record the SecretRef / env names each agent receives (names only, never values).",
          )
        : item(
            "recorded",
            "Every tool-using agent's secrets are recorded by name",
            "good",
            "Every agent with tools lists the secrets it receives.",
            "/agents",
            "Update the list when an agent gains an integration.",
          ),
    );

  const old = f.gateways.filter((g) => g.signed && f.now.getTime() - g.secretSetAt.getTime() > 180 * DAY);
  if (f.gateways.length)
    items.push(
      old.length
        ? item(
            "rotation",
            "Gateway signing secrets rotated within 180 days",
            "warn",
            `${names(old.map((g) => g.name))} ${old.length === 1 ? "has" : "have"} used the same signing secret for over 180 days.`,
            gatewaysHref(old),
            "Rotate the signing secret on the gateway page (the old one keeps working for a grace period).",
          )
        : item(
            "rotation",
            "Gateway signing secrets rotated within 180 days",
            "good",
            "Every gateway's signing secret is younger than 180 days.",
            "/gateways",
            "Rotate signing secrets at least twice a year and after any suspected leak.",
          ),
    );
  items.push(...auditItems(f, "secrets", "secrets or file-permission"));
  return items;
}

// [F] §3 Agent Scoping and Least Privilege; [S] Scope Isolation; [P] §1 Sandbox; [E] Tool Allowlist, Capability Bundles.
function scoping(f: PostureFacts): PostureItem[] {
  if (!f.agents.length && !f.gateways.length)
    return [item("agents", "Agents are registered with their scope", "unknown", "No active agent or gateway is registered.", "/agents", "Register your agents (or import their AGENTS.md).")];
  const items: PostureItem[] = [];
  const execFull = f.agents.filter((a) => a.posture.execMode === "full");
  const invExec = wardenCheck(f, "warden.exec_unrestricted");
  if (execFull.length || invExec)
    items.push(
      item(
        "exec",
        "No agent has unrestricted exec",
        "bad",
        [
          execFull.length ? `${names(execFull.map((a) => a.name))} may run any shell command (exec mode "full")` : "",
          invExec ? `${plural(invExec.count, "gateway configuration")} report exec security "full"` : "",
        ]
          .filter(Boolean)
          .join("; ") + ".",
        execFull.length ? agentsHref(execFull) : findingsHref({ kind: "posture", q: "Unrestricted exec" }),
        'Set exec to "allowlist" (scoped commands) or "deny"; build the allowlist from 2–4 weeks of observed commands.',
      ),
    );
  else
    items.push(
      item(
        "exec",
        "No agent has unrestricted exec",
        f.agents.length ? "good" : "unknown",
        f.agents.length ? `None of ${plural(f.agents.length, "active agent")} has exec mode "full".` : "No active agent is registered.",
        "/agents",
        "Keep exec scoped to an allowlist of commands.",
      ),
    );

  const externalExec = f.agents.filter((a) => a.flags.some((x) => x.id === "external-exec"));
  if (externalExec.length)
    items.push(
      item(
        "external_exec",
        "External-facing agents cannot run commands",
        "bad",
        `${names(externalExec.map((a) => a.name))} ${agree(externalExec, "talks", "talk")} to the public and may run commands.`,
        agentsHref(externalExec),
        'Set exec to "deny" on external agents; give internal agents the commands instead.',
      ),
    );

  const fsOpen = f.agents.filter((a) => a.posture.fsWorkspaceOnly === false);
  const fsUnknown = f.agents.filter((a) => a.posture.fsWorkspaceOnly === undefined);
  if (fsOpen.length)
    items.push(
      item(
        "fs",
        "File access limited to the workspace",
        "bad",
        `${names(fsOpen.map((a) => a.name))} may read and write outside their workspace.`,
        agentsHref(fsOpen),
        "Set tools.fs.workspaceOnly: true and allowlist any extra paths explicitly.",
      ),
    );
  else if (f.agents.length && fsUnknown.length === f.agents.length)
    items.push(
      item(
        "fs",
        "File access limited to the workspace",
        "unknown",
        "No agent records its filesystem scope.",
        "/agents",
        "Record fsWorkspaceOnly in each agent's posture (or import it from the gateway).",
      ),
    );
  else if (f.agents.length)
    items.push(
      item(
        "fs",
        "File access limited to the workspace",
        fsUnknown.length ? "warn" : "good",
        fsUnknown.length
          ? `Workspace-only is confirmed for ${plural(f.agents.length - fsUnknown.length, "agent")}; unknown for ${names(fsUnknown.map((a) => a.name))}.`
          : "Every agent is limited to its workspace.",
        fsUnknown.length ? agentsHref(fsUnknown) : "/agents",
        "Keep tools.fs.workspaceOnly on for every agent.",
      ),
    );

  const noAllowlist = f.agents.filter((a) => a.allowances === 0);
  if (f.agents.length)
    items.push(
      noAllowlist.length
        ? item(
            "allowlist",
            "Every agent has an explicit tool allowlist",
            "warn",
            `${names(noAllowlist.map((a) => a.name))} ${noAllowlist.length === 1 ? "has" : "have"} no capability bundle or grant: Warden cannot tell which tools ${noAllowlist.length === 1 ? "it" : "they"} should use.`,
            agentsHref(noAllowlist),
            "Assign a capability bundle that matches the agent's job (observe its calls first).",
          )
        : item(
            "allowlist",
            "Every agent has an explicit tool allowlist",
            "good",
            `${cap(allOf(f.agents.length, "active agent"))} ${agree(f.agents.length, "has", "have")} a bundle or grant.`,
            "/agents",
            "Review bundles quarterly; remove tools agents no longer use.",
          ),
    );

  items.push(
    f.findings.unapproved7d
      ? item(
          "unapproved",
          "Agents only call approved tools",
          "bad",
          `${plural(f.findings.unapproved7d, "open finding")} of tools called outside an agent's allowlist in the last 7 days.`,
          findingsHref({ kind: "unapproved_tool" }),
          "Review each finding: request approval for the tool or contain it, then dismiss with a reason.",
        )
      : item(
          "unapproved",
          "Agents only call approved tools",
          f.findings.unapprovedOpen ? "warn" : "good",
          f.findings.unapprovedOpen ? `${plural(f.findings.unapprovedOpen, "older open finding")} of unapproved tool use.` : "No open finding of a tool used outside an agent's allowlist.",
          findingsHref({ kind: "unapproved_tool" }),
          "Triage unapproved-tool findings as they appear.",
        ),
  );
  items.push(...auditItems(f, "scoping", "tool or sandbox"));
  return items;
}

// [F] §4 Channel Security and Reducing Your Attack Surface.
function channels(f: PostureFacts): PostureItem[] {
  if (!f.agents.length)
    return [item("policies", "DMs and groups are allowlisted", "unknown", "No active agent is registered.", "/agents", "Register agents with their channels and DM/group policies.")];
  const items: PostureItem[] = [];
  const open = f.agents.filter((a) => a.posture.dmPolicy === "open" || a.posture.groupPolicy === "open");
  const openExternal = open.filter((a) => a.scope === "external");
  const recorded = f.agents.filter((a) => a.posture.dmPolicy !== undefined || a.posture.groupPolicy !== undefined);
  if (open.length)
    items.push(
      item(
        "policies",
        "DMs and groups are allowlisted",
        openExternal.length ? "bad" : "warn",
        `${names(open.map((a) => a.name))} accept${open.length === 1 ? "s" : ""} messages from anyone (dm or group policy "open")${openExternal.length ? `, ${plural(openExternal.length, "external agent")} among them` : ""}.`,
        agentsHref(open),
        'Set dmPolicy and groupPolicy to "allowlist" (or pairing) with known operator ids.',
      ),
    );
  else if (!recorded.length)
    items.push(item("policies", "DMs and groups are allowlisted", "unknown", "No agent records its DM or group policy.", "/agents", "Record dmPolicy and groupPolicy in each agent's posture."));
  else
    items.push(
      item(
        "policies",
        "DMs and groups are allowlisted",
        "good",
        `No agent has an open DM or group policy (${plural(recorded.length, "agent")} recorded).`,
        "/agents",
        "Keep allowlists limited to known operator ids, with 2FA on those accounts.",
      ),
    );

  const many = f.agents.filter((a) => a.channels.length > 1);
  items.push(
    many.length
      ? item(
          "single",
          "Each agent uses one controlled channel",
          "warn",
          `${names(many.map((a) => `${a.name} (${a.channels.length})`))} ${agree(many, "listens", "listen")} on several channels.`,
          agentsHref(many),
          "Disable the channels an agent does not need; each one is a way in for prompt injection.",
        )
      : item("single", "Each agent uses one controlled channel", "good", "No agent listens on more than one channel.", "/agents", "Disable channels before connecting new ones."),
  );
  const unused = wardenCheck(f, "warden.channel_unused");
  if (unused)
    items.push(
      item(
        "unused",
        "No channel is enabled but unused",
        "warn",
        `${plural(unused.count, "channel")} enabled but unused on ${plural(unused.gateways, "gateway")}.`,
        findingsHref({ kind: "posture", q: "enabled but unused" }),
        "Disable channels with no traffic on the gateway.",
      ),
    );
  else if (inventoried(f).length)
    items.push(
      item("unused", "No channel is enabled but unused", "good", "Every enabled channel saw traffic recently.", findingsHref({ kind: "posture" }), "Disable a channel as soon as it stops being used."),
    );
  items.push(...auditItems(f, "channels", "channel or DM"));
  return items;
}

// [F] §5 Model Selection as a Security Decision.
function models(f: PostureFacts): PostureItem[] {
  if (!f.agents.length) return [item("recorded", "Every agent's model is recorded", "unknown", "No active agent is registered.", "/agents", "Register agents with their model and fallbacks.")];
  const items: PostureItem[] = [];
  const noModel = f.agents.filter((a) => !a.model);
  items.push(
    noModel.length
      ? item(
          "recorded",
          "Every agent's model is recorded",
          "warn",
          `${names(noModel.map((a) => a.name))} ${noModel.length === 1 ? "has" : "have"} no model recorded.`,
          agentsHref(noModel),
          "Record the primary model and fallbacks (or import them from the gateway).",
        )
      : item("recorded", "Every agent's model is recorded", "good", "Every active agent has its model recorded.", "/agents", "Update the record when a model changes."),
  );

  const tooled = f.agents.filter((a) => a.allowances > 0 && a.model);
  const weakPrimary = tooled.filter((a) => isWeakModel(a.model!));
  items.push(
    weakPrimary.length
      ? item(
          "strong_primary",
          "Tool-enabled agents run a strong model",
          "bad",
          `${names(weakPrimary.map((a) => `${a.name} (${a.model})`))} ${agree(weakPrimary, "uses", "use")} a smaller model that resists prompt injection less well.`,
          agentsHref(weakPrimary),
          "Use the strongest available model for agents with filesystem, exec, web or API tools; keep small models for read-only work.",
        )
      : item(
          "strong_primary",
          "Tool-enabled agents run a strong model",
          tooled.length ? "good" : "unknown",
          tooled.length ? `No tool-enabled agent (of ${tooled.length.toLocaleString("en")}) runs a small model.` : "No agent with approved tools has a model recorded.",
          "/agents",
          "Re-check after every model change.",
        ),
  );
  const weakFallback = f.agents.filter((a) => a.flags.some((x) => x.id === "weak-fallback"));
  const invWeak = wardenCheck(f, "warden.weak_fallback_model");
  if (weakFallback.length || invWeak)
    items.push(
      item(
        "fallbacks",
        "No weaker model in a fallback chain",
        "bad",
        [weakFallback.length ? `${names(weakFallback.map((a) => a.name))} can fall back to a weaker model` : "", invWeak ? `${plural(invWeak.count, "gateway-reported agent")} too` : ""]
          .filter(Boolean)
          .join("; ") + ": an outage of the primary provider is the window an attacker uses.",
        weakFallback.length ? agentsHref(weakFallback) : findingsHref({ kind: "posture", q: "Weaker model" }),
        "Remove weak models from the fallback chains of tool-enabled agents; use a strong model of another provider.",
      ),
    );
  else
    items.push(item("fallbacks", "No weaker model in a fallback chain", "good", "No tool-enabled agent falls back to a weaker model.", "/agents", "Keep fallbacks at least as strong as the primary."));

  const noFallback = tooled.filter((a) => a.fallbackModels.length === 0);
  if (tooled.length)
    items.push(
      noFallback.length
        ? item(
            "resilience",
            "Tool-enabled agents have a cross-provider fallback",
            "warn",
            `${names(noFallback.map((a) => a.name))} ${noFallback.length === 1 ? "has" : "have"} no fallback model.`,
            agentsHref(noFallback),
            "Configure a strong fallback model from another provider.",
          )
        : item("resilience", "Tool-enabled agents have a cross-provider fallback", "good", "Every tool-enabled agent has a fallback model.", "/agents", "Test the fallback during drills."),
    );

  const unpinned = f.agents.filter((a) => [a.model, ...a.fallbackModels].some((m) => m && isUnpinnedModel(m)));
  items.push(
    unpinned.length
      ? item(
          "pinned",
          "Models are pinned to a version",
          "warn",
          `${names(unpinned.map((a) => a.name))} ${agree(unpinned, "uses", "use")} a moving alias ("latest" or no version), so the model can change without review.`,
          agentsHref(unpinned),
          "Pin model ids to a dated or numbered version and change them deliberately.",
        )
      : item("pinned", "Models are pinned to a version", "good", "Every recorded model names a version.", "/agents", "Review model changes like any other dependency upgrade."),
  );
  items.push(...auditItems(f, "models", "model"));
  return items;
}

/** A model id that can move under you: "…-latest", or no version number at all. */
export function isUnpinnedModel(model: string): boolean {
  return /latest/i.test(model) || !/\d/.test(model);
}

// [F] §6 Securing Inter-Agent Communication; [S] attack surface "A2A calls".
function interAgent(f: PostureFacts): PostureItem[] {
  if (!f.agents.length && !f.gateways.length) return [item("delegation", "Delegation only where designed", "unknown", "No active agent or gateway is registered.", "/agents", "Register your agents.")];
  const items: PostureItem[] = [];
  const delegating = f.agents.filter((a) => a.posture.canDelegate);
  const extDelegating = delegating.filter((a) => a.scope === "external");
  const inv = wardenCheck(f, "warden.delegation_allowed");
  if (delegating.length || inv)
    items.push(
      item(
        "delegation",
        "Delegation only where designed",
        extDelegating.length ? "bad" : "warn",
        [
          delegating.length ? `${names(delegating.map((a) => a.name))} may spawn or message other agents${extDelegating.length ? ` (${plural(extDelegating.length, "external agent")})` : ""}` : "",
          inv ? `${plural(inv.count, "gateway-reported agent or default")} allow delegation` : "",
        ]
          .filter(Boolean)
          .join("; ") + ".",
        delegating.length ? agentsHref(delegating) : findingsHref({ kind: "posture", q: "Delegation allowed" }),
        "Set subagents.allowAgents: [] unless delegation is part of the design; never on external agents.",
      ),
    );
  else items.push(item("delegation", "Delegation only where designed", "good", "No agent may spawn or message other agents.", "/agents", "Keep delegation off unless an agent's job needs it."));

  const allowed = new Set(delegating.map((a) => a.id));
  const unexpected = f.delegationCalls.filter((d) => !allowed.has(d.agentKey));
  const total = f.delegationCalls.reduce((n, d) => n + d.calls, 0);
  items.push(
    unexpected.length
      ? item(
          "monitored",
          "Inter-agent calls come from agents allowed to delegate",
          "warn",
          `${names(unexpected.map((d) => `${d.agentName} (${d.calls})`))} called agent-to-agent tools in the last 7 days without delegation in their recorded posture.`,
          "/tool-calls?tool=sessions_send&range=7d",
          "Review these sessions for injected instructions; update the agent's posture or deny the tools.",
        )
      : item(
          "monitored",
          "Inter-agent calls come from agents allowed to delegate",
          "good",
          total ? `${plural(total, "agent-to-agent call")} in 7 days, all by agents allowed to delegate.` : "No agent-to-agent tool calls in the last 7 days.",
          "/tool-calls?tool=sessions_send&range=7d",
          "Watch for new communication pairs and unusual volume.",
        ),
  );
  items.push(...auditItems(f, "inter_agent", "delegation"));
  return items;
}

// [F] §7 Cost Controls and Abuse Prevention (spending circuit breaker, non-AI alert channel).
function cost(f: PostureFacts): PostureItem[] {
  const items: PostureItem[] = [];
  const fb = f.fleetBudget;
  items.push(
    !fb
      ? item(
          "fleet_budget",
          "A fleet-wide daily budget is set",
          "bad",
          "No fleet budget: nothing stops a runaway loop from spending without limit.",
          "/spend",
          "Set a fleet daily budget on the Spend page; the breaker warns at 50/75/90 % and acts at 100 %.",
        )
      : !fb.enabled
        ? item("fleet_budget", "A fleet-wide daily budget is set", "bad", `The fleet budget ($${fb.dailyUsd}/day) is disabled.`, "/spend", "Enable the fleet budget.")
        : item("fleet_budget", "A fleet-wide daily budget is set", "good", `Fleet budget $${fb.dailyUsd}/day.`, "/spend", "Revisit the budget when the fleet grows."),
  );
  const covered = f.agents.filter((a) => a.budget?.enabled);
  if (f.agents.length)
    items.push(
      covered.length === f.agents.length
        ? item(
            "agent_budgets",
            "Every agent has its own daily budget",
            "good",
            `${cap(allOf(f.agents.length, "active agent"))} ${agree(f.agents.length, "has", "have")} a budget.`,
            "/spend",
            "Keep per-agent budgets close to observed spend.",
          )
        : item(
            "agent_budgets",
            "Every agent has its own daily budget",
            covered.length || fb?.enabled ? "warn" : "bad",
            `${plural(f.agents.length - covered.length, "agent")} without a budget: ${names(f.agents.filter((a) => !a.budget?.enabled).map((a) => a.name))}.`,
            "/spend",
            "Give each agent a daily budget so one runaway agent is suspended before it drains the fleet budget.",
          ),
    );
  const budgets = [
    ...(fb?.enabled ? [{ label: "the fleet budget", onLimit: fb.onLimit }] : []),
    ...f.agents.filter((a) => a.budget?.enabled).map((a) => ({ label: a.name, onLimit: a.budget!.onLimit })),
  ];
  const notifyOnly = budgets.filter((b) => b.onLimit === "notify");
  if (budgets.length)
    items.push(
      notifyOnly.length
        ? item(
            "breaker",
            "Budgets stop spending at 100 %",
            "warn",
            `${cap(names(notifyOnly.map((b) => b.label)))} only ${agree(notifyOnly, "notifies", "notify")} at 100 %.`,
            "/spend",
            "Set the 100 % action to suspend the agent (or block the fleet) so the breaker acts without waiting for a human.",
          )
        : item(
            "breaker",
            "Budgets stop spending at 100 %",
            "good",
            `${cap(allOf(budgets.length, "budget"))} ${agree(budgets.length, "suspends or blocks", "suspend or block")} at 100 %.`,
            "/spend",
            "Drill the breaker with a low test budget.",
          ),
    );
  else items.push(item("breaker", "Budgets stop spending at 100 %", "unknown", "No budget is enabled.", "/spend", "Set budgets first."));
  items.push(
    f.webhooks.budgetAlerts
      ? item("alerts", "Budget alerts reach a channel outside the agents", "good", "An outbound webhook receives budget.threshold events.", "/admin/webhooks", "Test the webhook from its page.")
      : item(
          "alerts",
          "Budget alerts reach a channel outside the agents",
          "warn",
          "No enabled webhook receives budget.threshold events: alerts only show in Warden.",
          "/admin/webhooks",
          "Add an outbound webhook (monitoring, paging or chat) subscribed to budget.threshold.",
        ),
  );
  if (fb?.enabled && Number(fb.dailyUsd) > 0) {
    const pct = (Number(f.spendTodayUsd) / Number(fb.dailyUsd)) * 100;
    items.push(
      item(
        "today",
        "Today's spend is within budget",
        pct >= 90 ? "bad" : pct >= 75 ? "warn" : "good",
        `$${Number(f.spendTodayUsd).toFixed(2)} spent today, ${pct.toFixed(1)} % of $${fb.dailyUsd}.`,
        "/spend",
        pct >= 75 ? "Find the agent driving spend on the Spend page before the breaker trips." : "Nothing to do.",
      ),
    );
  }
  items.push(...auditItems(f, "cost", "automation or cost"));
  return items;
}

// [F] §8 Webhook and API Endpoint Security (HMAC, timestamps); [F] §7 alerts through a non-AI channel.
function webhooks(f: PostureFacts): PostureItem[] {
  const items: PostureItem[] = [];
  const unsigned = f.gateways.filter((g) => !g.signed);
  if (!f.gateways.length)
    items.push(item("signed", "Gateways sign every request (HMAC)", "unknown", "No gateway is registered.", "/gateways", "Register gateways; Warden issues each a signing secret."));
  else
    items.push(
      unsigned.length
        ? item(
            "signed",
            "Gateways sign every request (HMAC)",
            "bad",
            `${names(unsigned.map((g) => g.name))} ${unsigned.length === 1 ? "has" : "have"} no signing secret, so ${unsigned.length === 1 ? "its" : "their"} requests cannot be verified.`,
            gatewaysHref(unsigned),
            "Rotate (issue) a signing secret on the gateway page and configure the connector with it.",
          )
        : item(
            "signed",
            "Gateways sign every request (HMAC)",
            "good",
            `${cap(allOf(f.gateways.length, "gateway"))} ${agree(f.gateways.length, "signs", "sign")} its requests (HMAC-SHA256 with timestamp and replay protection).`,
            "/gateways",
            "Rotate signing secrets periodically.",
          ),
    );
  items.push(
    !f.webhooks.enabled
      ? item(
          "outbound",
          "Warden can alert outside the agents",
          "warn",
          "No outbound webhook is enabled: escalations and budget alerts reach no one outside Warden.",
          "/admin/webhooks",
          "Add a signed outbound webhook to your paging or chat system.",
        )
      : f.webhooks.plainHttp
        ? item(
            "outbound",
            "Warden can alert outside the agents",
            "warn",
            `${plural(f.webhooks.plainHttp, "enabled webhook")} ${agree(f.webhooks.plainHttp, "uses", "use")} plain http://: payloads travel unencrypted.`,
            "/admin/webhooks",
            "Switch those endpoints to https://.",
          )
        : item(
            "outbound",
            "Warden can alert outside the agents",
            "good",
            `${plural(f.webhooks.enabled, "signed webhook")} enabled, over https.`,
            "/admin/webhooks",
            "Send a test event after changing an endpoint.",
          ),
  );
  if (f.webhooks.enabled)
    items.push(
      f.webhooks.dead7d
        ? item(
            "delivered",
            "Outbound webhooks are delivered",
            "warn",
            `${plural(f.webhooks.dead7d, "delivery", "deliveries")} gave up in the last 7 days.`,
            "/admin/webhooks",
            "Check the endpoint's URL and status, then retry the dead deliveries.",
          )
        : item("delivered", "Outbound webhooks are delivered", "good", "No delivery gave up in the last 7 days.", "/admin/webhooks", "Watch for failing endpoints."),
    );
  items.push(...auditItems(f, "webhooks", "webhook ingress"));
  return items;
}

// [F] §9 Audit Logging and Forensics (off-server copies, integrity); [P] §4 Observability; [E] Audit Trails.
function logging(f: PostureFacts): PostureItem[] {
  const items: PostureItem[] = [];
  const withCalls = f.gateways.filter((g) => g.calls24h);
  const silent = f.gateways.filter((g) => !g.calls24h);
  items.push(
    !f.gateways.length
      ? item("telemetry", "Every gateway ships tool-call telemetry", "unknown", "No gateway is registered.", "/gateways", "Install the Warden connector on each gateway.")
      : withCalls.length === f.gateways.length
        ? item(
            "telemetry",
            "Every gateway ships tool-call telemetry",
            "good",
            `${cap(allOf(f.gateways.length, "gateway"))} reported tool calls in the last 24 h.`,
            "/tool-calls?range=24h",
            "Keep the connector's event stream on.",
          )
        : item(
            "telemetry",
            "Every gateway ships tool-call telemetry",
            // Silent and not checking in: nothing reaches Warden. Silent but checking in: maybe just idle.
            silent.some((g) => !seenRecently(f, g)) ? "bad" : "warn",
            `${names(silent.map((g) => g.name))} reported no tool calls in the last 24 h (idle, or not shipping telemetry).`,
            gatewaysHref(silent),
            "Check that the connector's event forwarding (or OTLP export) is enabled on these gateways.",
          ),
  );
  items.push(
    f.audit.lastEventAt
      ? item(
          "audit_trail",
          "Warden's audit trail is recorded and verifiable",
          "good",
          `Hash-chained audit trail; last event ${f.audit.lastEventAt.toISOString().replace("T", " ").slice(0, 16)} UTC.`,
          "/audit",
          "Verify the chain from the audit page regularly (it is not re-verified on every page load).",
        )
      : item(
          "audit_trail",
          "Warden's audit trail is recorded and verifiable",
          "warn",
          "The audit trail is empty.",
          "/audit",
          "Audit events are written by every change in Warden; check the server's database connection.",
        ),
  );
  items.push(
    f.audit.exports90d
      ? item(
          "off_server",
          "Evidence is copied off the server",
          "good",
          `${plural(f.audit.exports90d, "evidence export")} in the last 90 days.`,
          "/audit/evidence",
          "Keep exporting evidence bundles to storage the agents cannot reach.",
        )
      : item(
          "off_server",
          "Evidence is copied off the server",
          "warn",
          "No evidence export in the last 90 days: a compromised host could take the only copy of the logs with it.",
          "/audit/evidence",
          "Export an evidence bundle (audit trail, tool calls, decisions) to off-server storage on a schedule.",
        ),
  );
  items.push(...auditItems(f, "logging", "logging or redaction"));
  return items;
}

// [F] §10 Dependency and Upgrade Security; [E] Verify Integration Partners, "Review dependencies quarterly"; [P] §7 Supply Chain.
function dependencies(f: PostureFacts): PostureItem[] {
  const items: PostureItem[] = [];
  const adv = f.tools.advisoryFlagged + f.integrations.advisoryFlagged;
  items.push(
    adv
      ? item(
          "advisories",
          "No tool or vendor under an open advisory",
          "bad",
          `${plural(f.tools.advisoryFlagged, "tool")} and ${plural(f.integrations.advisoryFlagged, "integration")} flagged by a security advisory.`,
          f.tools.advisoryFlagged ? "/tools?review=advisory" : "/integrations?advisory=flagged",
          "Deny or re-review the flagged tools and switch flagged vendors to their fallback until patched.",
        )
      : item(
          "advisories",
          "No tool or vendor under an open advisory",
          "good",
          "No tool or integration is flagged by an advisory.",
          "/tools",
          "Flag tools as soon as an advisory is published; the vendor-advisory playbook runs from there.",
        ),
  );
  items.push(
    f.findings.hashDrift
      ? item(
          "hash_drift",
          "Agents run the exact approved versions",
          "bad",
          `${plural(f.findings.hashDrift, "open finding")} of a tool running with a hash that was never approved.`,
          findingsHref({ kind: "hash_drift" }),
          "Contain the tool until the new version is reviewed; approvals are pinned to a SHA-256.",
        )
      : item(
          "hash_drift",
          "Agents run the exact approved versions",
          "good",
          "No hash drift: every tool runs an approved artefact.",
          findingsHref({ kind: "hash_drift" }),
          "Review new versions before rolling them out (staging first).",
        ),
  );
  const inv = inventoried(f);
  const unpinned = f.gateways.filter((g) => g.unpinned > 0);
  if (!inv.length)
    items.push(
      item("pinned", "Plugins and skills are pinned by hash", "unknown", "No gateway has pushed its inventory.", "/gateways", "Install the Warden connector so gateways report what they run."),
    );
  else
    items.push(
      unpinned.length
        ? item(
            "pinned",
            "Plugins and skills are pinned by hash",
            "warn",
            `${plural(
              unpinned.reduce((n, g) => n + g.unpinned, 0),
              "plugin, skill or MCP server",
              "plugins, skills or MCP servers",
            )} without a content hash on ${names(unpinned.map((g) => g.name))}.`,
            gatewaysHref(unpinned),
            "Install third-party code from pinned versions and report their hashes so Warden can verify them.",
          )
        : item("pinned", "Plugins and skills are pinned by hash", "good", "Every plugin and skill in the inventories has a content hash.", "/gateways", "Keep pinning on upgrades."),
    );
  items.push(
    f.tools.approvalsWithoutDependencyAudit
      ? item(
          "dependency_audit",
          "Approvals include a dependency audit",
          "warn",
          `${plural(f.tools.approvalsWithoutDependencyAudit, "active approval")} recorded without a dependency audit (npm audit or equivalent).`,
          "/tools",
          "Re-review those tools with the dependency audit in the checklist.",
        )
      : item("dependency_audit", "Approvals include a dependency audit", "good", "Every active approval records a dependency audit.", "/tools", "Run the audit on every new version."),
  );
  items.push(
    f.tools.overdueReReviews || f.integrations.overdue
      ? item(
          "re_review",
          "Re-reviews and vendor audits are on time",
          "warn",
          `${plural(f.tools.overdueReReviews, "tool approval")} and ${plural(f.integrations.overdue, "vendor review")} overdue.`,
          f.tools.overdueReReviews ? "/tools?review=overdue" : "/integrations?review=overdue&sort=nextReviewAt",
          "Re-review overdue tools and vendors: a dependency clean on day one can be compromised by day 90.",
        )
      : item("re_review", "Re-reviews and vendor audits are on time", "good", "No re-review or vendor audit is overdue.", "/tools", "Keep the 90-day cadence."),
  );
  items.push(...auditItems(f, "dependencies", "plugin or skill"));
  return items;
}

// [F] §11 Data Flow Governance; [S] Egress control (allowlist domains); [Z] external services layer.
function dataFlows(f: PostureFacts): PostureItem[] {
  const items: PostureItem[] = [];
  items.push(
    f.findings.egress
      ? item(
          "undocumented",
          "Agents only reach documented hosts",
          "bad",
          `${plural(f.findings.egress, "open finding")} of egress to hosts missing from the data-flow registry.`,
          findingsHref({ kind: "undocumented_egress" }),
          "Document each flow (what data, which classification) for approval, or block the host.",
        )
      : item(
          "undocumented",
          "Agents only reach documented hosts",
          "good",
          "No undocumented egress found.",
          findingsHref({ kind: "undocumented_egress" }),
          "Audit flows quarterly against the registry.",
        ),
  );
  items.push(
    f.flows.restrictedNotApproved
      ? item(
          "restricted",
          "Restricted data only flows to approved services",
          "bad",
          `${plural(f.flows.restrictedNotApproved, "flow")} of restricted data without an approval.`,
          "/data-flows?classification=restricted",
          "Approve or reject these flows; block the host until approved.",
        )
      : f.flows.confidentialNotApproved
        ? item(
            "restricted",
            "Restricted data only flows to approved services",
            "warn",
            `${plural(f.flows.confidentialNotApproved, "flow")} of confidential data without an approval.`,
            "/data-flows?classification=confidential",
            "Get stakeholder approval for these flows.",
          )
        : item(
            "restricted",
            "Restricted data only flows to approved services",
            "good",
            "Every restricted or confidential flow is approved.",
            "/data-flows",
            "Re-approve flows when what they send changes.",
          ),
  );
  items.push(
    f.flows.proposed
      ? item(
          "decided",
          "Proposed flows are decided",
          "warn",
          `${plural(f.flows.proposed, "proposed flow")} awaiting a decision.`,
          "/data-flows?status=proposed",
          "Decide the proposed flows (approve with the data's owner, or reject).",
        )
      : item("decided", "Proposed flows are decided", "good", "No flow awaits a decision.", "/data-flows", "Decide new flows promptly."),
  );
  const noLlm = f.agents.filter((a) => a.model && !a.hasLlmFlow);
  if (f.agents.length)
    items.push(
      noLlm.length
        ? item(
            "llm",
            "LLM provider flows are documented",
            "warn",
            `${names(noLlm.map((a) => a.name))} ${agree(noLlm, "sends", "send")} prompts to a model provider with no documented LLM flow.`,
            agentsHref(noLlm),
            "Add the model provider as a data flow (it receives business content with every call) and confirm its data-handling terms.",
          )
        : item("llm", "LLM provider flows are documented", "good", "Every agent with a model documents its LLM provider flow.", "/data-flows?llm=yes", "Review providers' data policies yearly."),
    );
  return items;
}

// [F] §12 Incident Response; [E] Establish Incident Response Partnerships, Incident Response Automation, "Make your plan testable".
function incidentResponse(f: PostureFacts): PostureItem[] {
  const items: PostureItem[] = [];
  const due = f.playbooks.filter((p) => !p.lastDrillAt || f.now.getTime() - p.lastDrillAt.getTime() > 90 * DAY);
  if (!f.playbooks.length)
    items.push(
      item(
        "playbooks",
        "Incident playbooks exist",
        "bad",
        "No playbook: detection, containment, investigation, recovery and post-mortem are undefined.",
        "/playbooks",
        "Write a playbook per trigger (vendor advisory, spend threshold, unapproved burst, hash drift) with its steps and contacts.",
      ),
    );
  else items.push(item("playbooks", "Incident playbooks exist", "good", `${plural(f.playbooks.length, "playbook")} on file.`, "/playbooks", "Update playbooks after every incident's post-mortem."));
  if (f.playbooks.length) {
    const never = f.playbooks.every((p) => !p.lastDrillAt);
    items.push(
      due.length
        ? item(
            "drilled",
            "Playbooks drilled within 90 days",
            never ? "bad" : "warn",
            `${names(due.map((p) => p.name))} not drilled in the last 90 days.`,
            "/playbooks?drill=due",
            "Run a drill: it times containment and shows whether the plan still matches the fleet.",
          )
        : item("drilled", "Playbooks drilled within 90 days", "good", "Every playbook was drilled in the last 90 days.", "/playbooks", "Keep a quarterly drill cadence."),
    );
    const incomplete = f.playbooks.filter((p) => p.contacts === 0 || !p.breakGlass);
    items.push(
      incomplete.length
        ? item(
            "contacts",
            "Playbooks name contacts and a break-glass path",
            "warn",
            `${names(incomplete.map((p) => p.name))} lack${incomplete.length === 1 ? "s" : ""} contacts or break-glass notes.`,
            incomplete.length === 1 ? `/playbooks/${incomplete[0].id}` : "/playbooks",
            "Add on-call and vendor contacts and a break-glass access path that does not depend on the agents.",
          )
        : item("contacts", "Playbooks name contacts and a break-glass path", "good", "Every playbook names contacts and a break-glass path.", "/playbooks", "Check the contacts during each drill."),
    );
    const advisory = f.playbooks.some((p) => p.trigger === "vendor_advisory");
    items.push(
      advisory
        ? item(
            "advisory_playbook",
            "A vendor advisory triggers a playbook",
            "good",
            "A playbook runs on vendor advisories.",
            "/playbooks?trigger=vendor_advisory",
            "Drill it with a simulated advisory.",
          )
        : item(
            "advisory_playbook",
            "A vendor advisory triggers a playbook",
            "warn",
            "No playbook is triggered by a vendor advisory.",
            "/playbooks",
            "Add a vendor-advisory playbook: deny the tool, require approval or switch to the fallback vendor.",
          ),
    );
  }
  if (f.integrations.total)
    items.push(
      f.integrations.withoutContact
        ? item(
            "vendor_contacts",
            "Every vendor has a security contact",
            "warn",
            `${plural(f.integrations.withoutContact, "integration")} without a security contact.`,
            "/integrations",
            "Record each vendor's security contact and disclosure process.",
          )
        : item("vendor_contacts", "Every vendor has a security contact", "good", "Every integration names a security contact.", "/integrations", "Confirm contacts at each vendor review."),
    );
  items.push(
    f.escalations
      ? item(
          "escalations",
          "Kill switches are acknowledged",
          "bad",
          `${plural(f.escalations, "containment command")} not acknowledged by ${f.escalations === 1 ? "its gateway" : "their gateways"} in time.`,
          "/containment",
          "Reach the gateways through the break-glass path and confirm the containment.",
        )
      : item("escalations", "Kill switches are acknowledged", "good", "No unacknowledged containment command.", "/containment", "Drill the kill switch."),
  );
  const openIncidents = f.incidents.open + f.incidents.contained;
  items.push(
    openIncidents
      ? item(
          "incidents",
          "No incident left open",
          "warn",
          `${plural(f.incidents.open, "incident")} open and ${plural(f.incidents.contained, "incident")} contained but not resolved.`,
          "/incidents?status=open",
          "Drive open incidents to recovery and a written post-mortem.",
        )
      : item("incidents", "No incident left open", "good", "No open incident.", "/incidents", "Write a post-mortem for every closed incident."),
  );
  return items;
}

const DOMAINS: { id: DomainId; title: string; practice: string; run: (f: PostureFacts) => PostureItem[] }[] = [
  { id: "network", title: "Network exposure", practice: "Gateway on loopback, reverse proxy with TLS, no clear-text admin channels.", run: network },
  { id: "secrets", title: "Secrets", practice: "Secrets externalised and per agent, never shared, rotated, files mode 600.", run: secrets },
  { id: "scoping", title: "Agent scoping", practice: "Workspace-only filesystem, scoped exec, tools from an explicit allowlist.", run: scoping },
  { id: "channels", title: "Channels", practice: "One controlled channel per agent, allowlisted users, unused channels disabled.", run: channels },
  { id: "models", title: "Model choice", practice: "Strongest model for tool-enabled agents, strong cross-provider fallbacks, pinned versions.", run: models },
  { id: "inter_agent", title: "Inter-agent communication", practice: "Delegation off unless designed, agent-to-agent traffic monitored.", run: interAgent },
  { id: "cost", title: "Cost controls", practice: "Independent spending circuit breaker with budgets, hard limits and non-AI alerts.", run: cost },
  { id: "webhooks", title: "Webhooks & endpoints", practice: "HMAC-signed requests with timestamps, alerts over signed HTTPS webhooks.", run: webhooks },
  { id: "logging", title: "Logging & audit", practice: "Every tool call logged centrally, tamper-evident trail, copies off the server.", run: logging },
  { id: "dependencies", title: "Dependencies", practice: "Pinned, audited tool versions; advisories acted on; quarterly re-reviews.", run: dependencies },
  { id: "data_flows", title: "Data flows", practice: "A registry of every external service, approved flows, no undocumented egress.", run: dataFlows },
  { id: "incident_response", title: "Incident response", practice: "Playbooks drilled, contacts and break-glass path ready, escalations answered.", run: incidentResponse },
];

/** Score one domain's items: good 100, warn 50, bad 0, unknown left out; status = the worst item. */
export function scoreItems(items: PostureItem[]): { score: number; status: PostureStatus } {
  const known = items.map((i) => POINTS[i.status]).filter((p): p is number => p !== null);
  const status = items.reduce<PostureStatus>((worst, i) => (RANK[i.status] > RANK[worst] ? i.status : worst), "unknown");
  return { score: known.length ? Math.round(known.reduce((a, b) => a + b, 0) / known.length) : 0, status };
}

/** The twelve domains scored from `f`; the overall score averages the domains with anything known. */
export function scoreDomains(f: PostureFacts): FleetPosture {
  const domains: PostureDomain[] = DOMAINS.map((d) => {
    const items = d.run(f);
    return { id: d.id, title: d.title, practice: d.practice, ...scoreItems(items), items };
  });
  if (domains.map((d) => d.id).join() !== DOMAIN_IDS.join()) throw new Error("posture domains out of order");
  const known = domains.filter((d) => d.status !== "unknown");
  const score = known.length ? Math.round(known.reduce((a, d) => a + d.score, 0) / known.length) : 0;
  const counts: Record<PostureStatus, number> = { good: 0, warn: 0, bad: 0, unknown: 0 };
  for (const d of domains) counts[d.status]++;
  const status: PostureStatus = !known.length ? "unknown" : counts.bad ? "bad" : counts.warn ? "warn" : "good";
  return { generatedAt: f.now.toISOString(), score, status, counts, domains };
}
