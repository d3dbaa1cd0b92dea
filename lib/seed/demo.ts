/**
 * The demo fleet: a small, believable set of gateways, agents, tools, decisions, integrations,
 * data flows, playbooks and a week of tool calls, so a new user can find their way in minutes.
 *
 * First run only (guarded by the `demo_seeded` setting) and deterministic: the registry is fixed
 * data and the tool calls come from a seeded PRNG; every time is relative to `now`.
 * The caller writes the audit event.
 *
 * It never contradicts itself: every seeded call carries the decision the real signed policy gives
 * it (the OpenClaw plugin's own decide()), findings are computed by the findings job's own code over
 * the seeded week (so the first scheduled run finds nothing new), and back-dated history is
 * attributed to the seeded demo people, never to the administrator created at first start.
 * The demo gateways get signing secrets (sealed) so the live simulated gateways
 * (lib/demo-fleet) can speak the connector protocol as them; `demo_seeded` names them.
 *
 * Reads through the app's own db for the policy and the findings (the same client in practice).
 */
import { createHash } from "node:crypto";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { mulberry32 } from "@/lib/prng";
import { timelineRow, type TimelineEventInput } from "@/lib/incidents/timeline-schema";
import { seal } from "@/lib/crypto";
import { generateSigningSecret } from "@/lib/connector/signature";
import { buildGatewayPolicies, type GatewayPolicy } from "@/lib/allowlist/policy";
import { computeFindings } from "@/lib/findings/compute";
import { decide } from "@/connectors/openclaw/lib/decide.js";
import { needsApproval } from "@/connectors/openclaw/lib/approval-rules.js";
import {
  DEMO_GROUPS,
  DEMO_IDENTITY_RULES,
  DEMO_PEOPLE,
  DEMO_RATE_LIMIT,
  DEMO_USAGE,
  SEED_CALL_COUNT,
  askFor,
  expectedDailyUsd,
  outcomeOf,
  paramsFor,
  sessionKeyFor,
  weighted,
  type DemoAsk,
} from "@/lib/demo-fleet/traffic";
import { RateWindow, identityDecision, type IdentitySection } from "@/lib/demo-fleet/identity";
import { normalizeRequester, requesterKey } from "@/lib/people/keys";

const SETTING_KEY = "demo_seeded";
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const REVIEW_DAYS = 90;

const sha256 = (s: string): string => createHash("sha256").update(s).digest("hex");

type Perms = { fsRead: boolean; fsWrite: boolean; egressHosts: string[]; credentialAccess: string[]; exec: boolean };
type Dep = { name: string; version: string; auditResult: string };
type Vuln = { id: string; url: string; severity: "low" | "medium" | "high" | "critical" };
type VersionSpec = { version: string; permissions: Perms; dependencies: Dep[]; vulnerabilities?: Vuln[] };
type ToolSpec = {
  name: string;
  kind: "tool" | "skill" | "mcp_server" | "plugin";
  source: "builtin" | "clawhub" | "npm" | "vendor" | "internal";
  publisher: string;
  publisherVerified: boolean;
  description: string;
  versions: VersionSpec[];
  /** Index of the version the fleet actually runs (used for tool-call version/hash). */
  pinned: number;
};

const perms = (p: Partial<Perms>): Perms => ({ fsRead: false, fsWrite: false, egressHosts: [], credentialAccess: [], exec: false, ...p });
const OC = "2026.11.1"; // the OpenClaw release the builtins ship with

const TOOLS: ToolSpec[] = [
  {
    name: "web_search",
    kind: "tool",
    source: "builtin",
    publisher: "OpenClaw",
    publisherVerified: true,
    description: "Search the web through the configured search provider.",
    pinned: 0,
    versions: [{ version: OC, permissions: perms({ egressHosts: ["www.googleapis.com"], credentialAccess: ["GOOGLE_SEARCH_API_KEY"] }), dependencies: [] }],
  },
  {
    name: "web_fetch",
    kind: "tool",
    source: "builtin",
    publisher: "OpenClaw",
    publisherVerified: true,
    description: "Fetch a URL and return readable text.",
    pinned: 0,
    versions: [{ version: OC, permissions: perms({ egressHosts: ["*"] }), dependencies: [{ name: "undici", version: "7.16.0", auditResult: "clean" }] }],
  },
  {
    name: "read",
    kind: "tool",
    source: "builtin",
    publisher: "OpenClaw",
    publisherVerified: true,
    description: "Read files in the agent workspace.",
    pinned: 0,
    versions: [{ version: OC, permissions: perms({ fsRead: true }), dependencies: [] }],
  },
  {
    name: "write",
    kind: "tool",
    source: "builtin",
    publisher: "OpenClaw",
    publisherVerified: true,
    description: "Write files in the agent workspace.",
    pinned: 0,
    versions: [{ version: OC, permissions: perms({ fsRead: true, fsWrite: true }), dependencies: [] }],
  },
  {
    name: "exec",
    kind: "tool",
    source: "builtin",
    publisher: "OpenClaw",
    publisherVerified: true,
    description: "Run shell commands on the gateway host.",
    pinned: 0,
    versions: [{ version: OC, permissions: perms({ fsRead: true, fsWrite: true, exec: true, egressHosts: ["*"] }), dependencies: [] }],
  },
  {
    name: "seo-keyword-scout",
    kind: "skill",
    source: "clawhub",
    publisher: "rankcraft",
    publisherVerified: true,
    description: "Expands seed keywords into clusters with search volume estimates.",
    pinned: 0,
    versions: [
      {
        version: "1.2.0",
        permissions: perms({ egressHosts: ["www.googleapis.com"], credentialAccess: ["GOOGLE_SEARCH_API_KEY"] }),
        dependencies: [{ name: "p-limit", version: "6.1.0", auditResult: "clean" }],
      },
      {
        version: "1.3.0",
        permissions: perms({ fsWrite: true, egressHosts: ["www.googleapis.com", "api.rankcraft.io"], credentialAccess: ["GOOGLE_SEARCH_API_KEY"] }),
        dependencies: [
          { name: "p-limit", version: "6.2.0", auditResult: "clean" },
          { name: "csv-stringify", version: "6.5.2", auditResult: "clean" },
        ],
      },
    ],
  },
  {
    name: "github-mcp",
    kind: "mcp_server",
    source: "npm",
    publisher: "github",
    publisherVerified: true,
    description: "GitHub MCP server: issues, pull requests, repository contents.",
    pinned: 1,
    versions: [
      {
        version: "0.9.2",
        permissions: perms({ egressHosts: ["api.github.com"], credentialAccess: ["GITHUB_TOKEN"] }),
        dependencies: [
          { name: "@octokit/rest", version: "21.0.2", auditResult: "outdated" },
          { name: "zod", version: "3.23.8", auditResult: "clean" },
        ],
      },
      {
        version: "1.0.0",
        permissions: perms({ egressHosts: ["api.github.com"], credentialAccess: ["GITHUB_TOKEN"] }),
        dependencies: [
          { name: "@octokit/rest", version: "22.0.0", auditResult: "clean" },
          { name: "zod", version: "3.25.76", auditResult: "clean" },
          { name: "@modelcontextprotocol/sdk", version: "1.20.0", auditResult: "clean" },
        ],
      },
    ],
  },
  {
    name: "postgres-mcp",
    kind: "mcp_server",
    source: "internal",
    publisher: "Data platform team",
    publisherVerified: true,
    description: "Read-only SQL against the analytics replica.",
    pinned: 0,
    versions: [
      {
        version: "2.1.0",
        permissions: perms({ egressHosts: ["analytics-replica.internal"], credentialAccess: ["ANALYTICS_DB_READONLY_URL"] }),
        dependencies: [
          { name: "pg", version: "8.16.3", auditResult: "clean" },
          { name: "@modelcontextprotocol/sdk", version: "1.20.0", auditResult: "clean" },
        ],
      },
    ],
  },
  {
    name: "slack-notify",
    kind: "plugin",
    source: "vendor",
    publisher: "Slack Technologies",
    publisherVerified: true,
    description: "Post messages to Slack channels through an incoming webhook.",
    pinned: 0,
    versions: [
      {
        version: "3.4.1",
        permissions: perms({ egressHosts: ["hooks.slack.com", "slack.com"], credentialAccess: ["SLACK_WEBHOOK_URL", "SLACK_BOT_TOKEN"] }),
        dependencies: [
          { name: "@slack/webhook", version: "7.0.5", auditResult: "clean" },
          { name: "axios", version: "1.12.2", auditResult: "clean" },
        ],
      },
    ],
  },
  {
    name: "pdf-summarizer",
    kind: "skill",
    source: "clawhub",
    publisher: "quickdocs-dev",
    publisherVerified: false,
    description: "Summarises PDF attachments.",
    pinned: 0,
    versions: [
      {
        version: "0.4.2",
        permissions: perms({ fsRead: true, exec: true, egressHosts: ["cdn.quickdocs.dev"] }),
        dependencies: [
          { name: "pdf-parse", version: "1.1.1", auditResult: "vulnerable" },
          { name: "node-fetch", version: "2.6.1", auditResult: "outdated" },
        ],
        vulnerabilities: [{ id: "CVE-2026-31337", url: "https://nvd.nist.gov/vuln/detail/CVE-2026-31337", severity: "high" }],
      },
    ],
  },
];

function auditSummary(deps: Dep[]): string {
  if (deps.length === 0) return "no third-party dependencies";
  const bad = deps.filter((d) => d.auditResult !== "clean").length;
  return bad === 0 ? `${deps.length} dependencies, all current` : `${deps.length} dependencies, ${bad} need attention`;
}

const checklist = (over: Partial<Record<string, boolean | string>> = {}) => ({
  authorVerified: true,
  vulnHistoryChecked: true,
  dependencyAuditRun: true,
  dependencyAuditResult: "clean",
  permissionsNarrowed: false,
  credEgressFlagged: false,
  ...over,
});

export async function seedDemoFleet(db: PrismaClient, opts: { now?: Date; toolCallCount?: number } = {}): Promise<{ seeded: boolean; counts: Record<string, number> }> {
  const existing = await db.setting.findUnique({ where: { key: SETTING_KEY } });
  if (existing) return { seeded: false, counts: {} };

  const now = opts.now ?? new Date();
  const ago = (ms: number) => new Date(now.getTime() - ms);
  const ahead = (ms: number) => new Date(now.getTime() + ms);
  const counts: Record<string, number> = {};

  const reg = await db.$transaction(
    async (tx) => {
      // ── people: three demo users who cannot sign in until an admin resets their password. They
      // joined long before the history below, which is theirs (never the administrator's, who was
      // created at first start).
      const joined = ago(400 * DAY);
      const person = (email: string, name: string, role: "security_lead" | "operator") =>
        tx.user.upsert({ where: { email }, update: {}, create: { email, name, role, passwordHash: null, createdAt: joined } });
      const sam = await person("sam.lee@warden.demo", "Sam Lee", "security_lead");
      const olu = await person("ops@warden.demo", "Olu Operator", "operator");
      const riley = await person("riley.park@warden.demo", "Riley Park", "security_lead");
      counts.users = 3;
      /** Never let someone decide their own request. */
      const deciderFor = (requester: string, preferred: string) => (preferred !== requester ? preferred : preferred === riley.id ? sam.id : riley.id);

      // ── gateways
      // Each with a signing secret, sealed like a registered gateway's: the live demo speaks as them.
      const gateway = (name: string, environment: string, lastSeenAt: Date) =>
        tx.gateway.create({
          data: { name, kind: "openclaw", environment, lastSeenAt, signingSecretEnc: seal(generateSigningSecret()), signingSecretRotatedAt: ago(210 * DAY), createdAt: ago(210 * DAY) },
        });
      const prod = await gateway("prod-gateway-eu", "production", ago(2 * MINUTE));
      const staging = await gateway("staging-gateway", "staging", ago(3 * MINUTE));
      counts.gateways = 2;

      // ── agents
      const agentSpecs = [
        {
          name: "seo-research",
          gatewayId: prod.id,
          owner: "Maya Chen",
          team: "Growth",
          scope: "internal" as const,
          purpose: "Researches keywords and competitor pages for the marketing site; drafts briefs for the content team.",
          channels: ["slack"],
          model: "anthropic/claude-sonnet-4-5",
          fallbackModels: ["anthropic/claude-haiku-4-5"],
          credentialRefs: ["GOOGLE_SEARCH_API_KEY"],
          // Hands finished briefs to content-publisher (an approved pair, below).
          posture: { fsWorkspaceOnly: true, execMode: "deny", canDelegate: true, dmPolicy: "pairing", groupPolicy: "allowlist" },
        },
        {
          name: "content-publisher",
          gatewayId: prod.id,
          owner: "Jonas Berg",
          team: "Content",
          scope: "internal" as const,
          purpose: "Turns approved briefs into blog posts, opens pull requests on the website repo and sends the newsletter.",
          channels: ["slack", "telegram"],
          model: "anthropic/claude-sonnet-4-5",
          fallbackModels: ["openai/gpt-4.1"],
          credentialRefs: ["GITHUB_TOKEN", "SENDGRID_API_KEY", "SLACK_WEBHOOK_URL"],
          posture: { fsWorkspaceOnly: true, execMode: "allowlist", canDelegate: false, dmPolicy: "pairing", groupPolicy: "allowlist" },
        },
        {
          name: "analytics",
          gatewayId: staging.id,
          owner: "Priya Nair",
          team: "Data",
          scope: "internal" as const,
          purpose: "Answers questions about traffic and conversion from the analytics replica; builds weekly reports.",
          channels: ["slack", "telegram"],
          model: "openai/gpt-4.1",
          fallbackModels: ["anthropic/claude-sonnet-4-5"],
          credentialRefs: ["ANALYTICS_DB_READONLY_URL"],
          posture: { fsWorkspaceOnly: false, execMode: "full", canDelegate: true, dmPolicy: "allowlist", groupPolicy: "allowlist" },
        },
        {
          name: "customer-support",
          gatewayId: prod.id,
          owner: "Dana Ortiz (Support team)",
          team: "Support",
          scope: "external" as const,
          purpose: "Answers customer questions on the website chat and escalates to the support channel; looks up order status.",
          channels: ["webchat", "slack"],
          model: "anthropic/claude-sonnet-4-5",
          fallbackModels: ["openai/gpt-4o-mini"],
          credentialRefs: ["CRM_API_KEY"],
          posture: { fsWorkspaceOnly: true, execMode: "deny", canDelegate: false, dmPolicy: "open", groupPolicy: "disabled" },
        },
      ];
      const agents: Record<string, AgentRef> = {};
      const teams: Record<string, string> = {};
      for (const a of agentSpecs) {
        const { team, ...spec } = a;
        const teamId = (teams[team] ??= (await tx.team.upsert({ where: { name: team }, create: { name: team }, update: {}, select: { id: true } })).id);
        const row = await tx.agent.create({ data: { ...spec, teamId, externalId: a.name, status: "active", createdAt: ago(180 * DAY) } });
        agents[a.name] = { id: row.id, gatewayId: a.gatewayId, model: a.model, channels: a.channels, teamId };
      }
      counts.agents = agentSpecs.length;
      counts.teams = Object.keys(teams).length;

      // ── who asks: the directory, its groups, per-person rules and a rate limit (lib/demo-fleet/traffic.ts)
      // An operator scoped to the Content team: signed in, they see only Content's agents and calls.
      const jonasUser = await tx.user.upsert({
        where: { email: "jonas.berg@warden.demo" },
        update: {},
        create: { email: "jonas.berg@warden.demo", name: "Jonas Berg", role: "operator", passwordHash: null, teamId: teams.Content, createdAt: joined },
      });
      counts.users++;
      const identity = await seedIdentity(tx, {
        teams,
        agents,
        users: { "sam.lee@warden.demo": sam.id, "jonas.berg@warden.demo": jonasUser.id },
        by: { id: sam.id, label: "Sam Lee" },
        since: ago(60 * DAY),
      });
      Object.assign(counts, identity.counts);
      // seo-research hands briefs over to content-publisher (sessions_send on the same gateway).
      await tx.agentLinkApproval.create({
        data: {
          fromAgentId: agents["seo-research"].id,
          toAgentId: agents["content-publisher"].id,
          reason: "Finished keyword briefs go to the publisher as drafts",
          approvedById: sam.id,
          approvedBy: "Sam Lee",
          createdAt: ago(60 * DAY),
        },
      });
      counts.agentLinks = 1;

      // ── tools and versions
      const toolIds: Record<string, string> = {};
      const versionIds: Record<string, string> = {}; // "name@version" → id
      const pinned: Record<string, { version: string; hash: string }> = {};
      counts.toolVersions = 0;
      for (const t of TOOLS) {
        const tool = await tx.tool.create({
          data: { name: t.name, kind: t.kind, source: t.source, publisher: t.publisher, publisherVerified: t.publisherVerified, description: t.description, createdAt: ago(200 * DAY) },
        });
        toolIds[t.name] = tool.id;
        for (const [i, v] of t.versions.entries()) {
          const contentHash = sha256(`warden-demo:${t.source}:${t.name}@${v.version}`);
          const row = await tx.toolVersion.create({
            data: {
              toolId: tool.id,
              version: v.version,
              contentHash,
              permissions: v.permissions,
              dependencies: v.dependencies,
              dependencyAudit: auditSummary(v.dependencies),
              vulnerabilities: v.vulnerabilities ?? [],
              createdAt: ago((200 - i * 60) * DAY),
            },
          });
          versionIds[`${t.name}@${v.version}`] = row.id;
          if (i === t.pinned) pinned[t.name] = { version: v.version, hash: contentHash };
          counts.toolVersions++;
        }
      }
      counts.tools = TOOLS.length;

      // ── tool requests and trust decisions
      type ReqSpec = {
        tool: string;
        requester: string;
        decider?: string;
        agents: string[];
        justification: string;
        filedDaysAgo: number;
        decision?: { outcome: "approve" | "approve_with_conditions" | "reject"; daysAgo: number; reason: string; checklist: ReturnType<typeof checklist>; conditions?: Perms };
      };
      const reqs: ReqSpec[] = [
        // Built-in gateway tools are reviewed like any other: pinned to the gateway release.
        ...(["web_search", "read", "write"] as const).map((t): ReqSpec => ({
          tool: `${t}@` + OC,
          requester: sam.id,
          decider: riley.id,
          agents: [],
          filedDaysAgo: 40,
          justification: `Baseline: built-in ${t} of the OpenClaw release we run.`,
          decision: { outcome: "approve", daysAgo: 39, reason: `Built-in OpenClaw tool, reviewed with release ${OC}.`, checklist: checklist({ credEgressFlagged: t === "web_search" }) },
        })),
        {
          tool: "web_fetch@" + OC,
          requester: olu.id,
          decider: riley.id,
          agents: ["seo-research", "customer-support"],
          filedDaysAgo: 32,
          justification: "Read competitor pages and our public help centre.",
          decision: { outcome: "approve", daysAgo: 30, reason: "Builtin, no credentials; egress is broad but the agents are workspace-only.", checklist: checklist({ credEgressFlagged: true }) },
        },
        {
          tool: "seo-keyword-scout@1.2.0",
          requester: olu.id,
          decider: riley.id,
          agents: ["seo-research"],
          filedDaysAgo: 102,
          justification: "Keyword clustering for the Q3 content plan.",
          decision: { outcome: "approve", daysAgo: 100, reason: "Verified publisher, one dependency, only talks to Google's API.", checklist: checklist() },
        },
        {
          tool: "github-mcp@1.0.0",
          requester: olu.id,
          decider: sam.id,
          agents: ["content-publisher"],
          filedDaysAgo: 21,
          justification: "Open pull requests on acme/website instead of pushing to main.",
          decision: { outcome: "approve", daysAgo: 20, reason: "Official GitHub server; token is a fine-grained PAT limited to acme/website.", checklist: checklist({ permissionsNarrowed: true }) },
        },
        {
          tool: "postgres-mcp@2.1.0",
          requester: sam.id,
          decider: riley.id,
          agents: ["analytics"],
          filedDaysAgo: 46,
          justification: "Replace ad-hoc CSV exports with read-only queries.",
          decision: { outcome: "approve", daysAgo: 45, reason: "Internal build, read-only role, replica only.", checklist: checklist() },
        },
        {
          tool: "slack-notify@3.4.1",
          requester: olu.id,
          decider: riley.id,
          agents: ["content-publisher"],
          filedDaysAgo: 16,
          justification: "Post 'PR ready for review' to #content.",
          decision: {
            outcome: "approve_with_conditions",
            daysAgo: 15,
            reason: "Approved for the incoming webhook only; no bot token, no files.",
            checklist: checklist({ permissionsNarrowed: true, credEgressFlagged: true }),
            conditions: perms({ egressHosts: ["hooks.slack.com"], credentialAccess: ["SLACK_WEBHOOK_URL"] }),
          },
        },
        {
          tool: "pdf-summarizer@0.4.2",
          requester: olu.id,
          decider: sam.id,
          agents: ["customer-support"],
          filedDaysAgo: 7,
          justification: "Summarise PDF invoices customers attach in chat.",
          decision: {
            outcome: "reject",
            daysAgo: 6,
            reason:
              "Unverified publisher and CVE-2026-31337 (high, arbitrary code execution via crafted PDF) in pdf-parse; asks for exec. Re-request once a fixed version from a verified publisher exists.",
            checklist: checklist({ authorVerified: false, dependencyAuditResult: "1 vulnerable (CVE-2026-31337), 1 outdated", credEgressFlagged: true }),
          },
        },
        { tool: "seo-keyword-scout@1.3.0", requester: olu.id, agents: ["seo-research"], filedDaysAgo: 2, justification: "Upgrade: 1.3.0 adds CSV export of clusters." },
        { tool: "slack-notify@3.4.1", requester: olu.id, agents: ["customer-support"], filedDaysAgo: 1, justification: "Let support escalate angry or urgent chats to #support-oncall." },
      ];
      counts.toolRequests = 0;
      counts.trustDecisions = 0;
      for (const r of reqs) {
        const [toolName] = r.tool.split("@");
        const spec = TOOLS.find((t) => t.name === toolName);
        const version = spec?.versions.find((v) => `${toolName}@${v.version}` === r.tool);
        const status = r.decision ? ({ approve: "approved", approve_with_conditions: "approved_with_conditions", reject: "rejected" } as const)[r.decision.outcome] : "pending";
        const request = await tx.toolRequest.create({
          data: {
            toolVersionId: versionIds[r.tool],
            requesterId: r.requester,
            justification: r.justification,
            requestedPermissions: version?.permissions ?? {},
            agentIds: r.agents.map((n) => agents[n].id),
            bundleIds: [],
            status,
            createdAt: ago(r.filedDaysAgo * DAY),
          },
        });
        counts.toolRequests++;
        if (!r.decision) continue;
        const decidedAt = ago(r.decision.daysAgo * DAY);
        await tx.trustDecision.create({
          data: {
            requestId: request.id,
            toolVersionId: versionIds[r.tool],
            deciderId: deciderFor(r.requester, r.decider ?? riley.id),
            outcome: r.decision.outcome,
            checklist: r.decision.checklist,
            reason: r.decision.reason,
            conditions: r.decision.conditions,
            decidedAt,
            reReviewAt: r.decision.outcome === "reject" ? null : new Date(decidedAt.getTime() + REVIEW_DAYS * DAY),
          },
        });
        counts.trustDecisions++;
      }

      // ── capability bundles, direct grants and a time-boxed exception
      const bundles = [
        { name: "research", description: "Search and read the public web.", tools: ["web_search", "web_fetch", "read", "seo-keyword-scout"], agents: ["seo-research", "analytics"] },
        { name: "publishing", description: "Write drafts, open pull requests, announce in Slack.", tools: ["read", "write", "github-mcp", "slack-notify"], agents: ["content-publisher"] },
        { name: "support", description: "Answer customers from the help centre; no files, no shell.", tools: ["web_search", "web_fetch", "read"], agents: ["customer-support"] },
      ];
      counts.bundleTools = 0;
      counts.agentBundles = 0;
      for (const b of bundles) {
        await tx.capabilityBundle.create({
          data: {
            name: b.name,
            description: b.description,
            tools: { create: b.tools.map((t) => ({ toolId: toolIds[t] })) },
            agents: { create: b.agents.map((a) => ({ agentId: agents[a].id })) },
          },
        });
        counts.bundleTools += b.tools.length;
        counts.agentBundles += b.agents.length;
      }
      counts.bundles = bundles.length;
      await tx.grant.createMany({
        data: [
          {
            agentId: agents.analytics.id,
            toolId: toolIds["postgres-mcp"],
            kind: "grant",
            reason: "Read-only reporting queries against the analytics replica.",
            grantedById: riley.id,
            createdAt: ago(45 * DAY),
          },
          {
            agentId: agents.analytics.id,
            toolId: toolIds.exec,
            kind: "exception",
            reason: "One-off Python backfill of the Q4 dashboards; remove once the job moves to CI.",
            expiresAt: ahead(3 * DAY),
            grantedById: sam.id,
            createdAt: ago(4 * DAY),
          },
        ],
      });
      counts.grants = 2;

      // ── integrations
      const slack = await tx.integration.create({
        data: {
          name: "slack-webhook",
          provider: "Slack (verified-team)",
          providerVerified: true,
          reason: "Send alerts on agent decisions",
          permissions: ["write:messages", "no:files", "no:auth"],
          auditDate: ago(60 * DAY),
          auditResult: "3 dependencies, all current",
          dependencyStatus: "all current",
          securityContactName: "Slack Product Security",
          securityContactEmail: "security@slack-vendor.example",
          securityContactPhone: "+1 415 555 0142",
          disclosureProcess: "Coordinated disclosure through the vendor's bug bounty; acknowledgement within 24 hours, customer advisory within 72 hours.",
          irPartner: "Northwind Incident Response (retainer)",
          nextReviewAt: ahead(30 * DAY),
        },
      });
      const emailProvider = await tx.integration.create({
        data: {
          name: "email-provider",
          provider: "SendGrid",
          providerVerified: true,
          reason: "Newsletter and transactional email sent by content-publisher",
          permissions: ["mail:send", "no:contacts", "no:settings"],
          auditDate: ago(200 * DAY),
          auditResult: "5 dependencies, 1 outdated (minor)",
          dependencyStatus: "1 outdated",
          securityContactName: "Twilio Security",
          securityContactEmail: "security@sendgrid-vendor.example",
          securityContactPhone: "+1 303 555 0199",
          disclosureProcess: "Security advisories by email to the account owner; status page for outages.",
          degradation: { primary: "sendgrid", fallback: "local_smtp", onFailure: "queue_and_retry", maxRetries: 3 },
          nextReviewAt: ago(10 * DAY),
        },
      });
      const crm = await tx.integration.create({
        data: {
          name: "crm-api",
          provider: "Northwind CRM",
          providerVerified: false,
          reason: "customer-support looks up order and account status",
          permissions: ["read:contacts", "read:orders", "no:write"],
          auditDate: ago(120 * DAY),
          auditResult: "API client only, no dependencies",
          securityContactName: "Northwind CRM security desk",
          securityContactEmail: "security@northwind-crm.example",
          advisoryFlaggedAt: ago(1 * DAY),
          advisoryNote: "Vendor disclosed a token leak; re-review required",
          nextReviewAt: ahead(20 * DAY),
        },
      });
      counts.integrations = 3;
      // Which agents use which integration (the AGENTS.md `integrations:` list of each agent).
      const agentIntegrations = [
        { agentId: agents["customer-support"].id, integrationId: crm.id },
        { agentId: agents["customer-support"].id, integrationId: slack.id },
        { agentId: agents["content-publisher"].id, integrationId: emailProvider.id },
        { agentId: agents.analytics.id, integrationId: slack.id },
      ];
      await tx.agentIntegration.createMany({ data: agentIntegrations });
      counts.agentIntegrations = agentIntegrations.length;
      await tx.trustDecision.create({
        data: {
          integrationId: slack.id,
          deciderId: riley.id,
          outcome: "approve",
          decidedAt: ago(60 * DAY),
          reReviewAt: ahead(30 * DAY),
          checklist: checklist({ dependencyAuditResult: "3 dependencies, all current", permissionsNarrowed: true }),
          reason: "Verified team workspace, write-only webhook, no file or auth scopes.",
        },
      });
      counts.trustDecisions++;

      // ── data flows
      const flows = [
        {
          agent: "seo-research",
          service: "Anthropic",
          host: "api.anthropic.com",
          llm: true,
          sent: "Keyword lists and excerpts of public competitor pages",
          received: "Keyword clusters and content briefs",
          cls: "public",
          status: "approved",
        },
        {
          agent: "seo-research",
          service: "Google Custom Search",
          host: "www.googleapis.com",
          llm: false,
          sent: "Search queries",
          received: "Search results (titles, URLs, snippets)",
          cls: "public",
          status: "approved",
        },
        {
          agent: "content-publisher",
          service: "Anthropic",
          host: "api.anthropic.com",
          llm: true,
          sent: "Unpublished drafts and briefs",
          received: "Edited drafts",
          cls: "internal",
          status: "approved",
        },
        {
          agent: "content-publisher",
          service: "SendGrid",
          host: "api.sendgrid.com",
          llm: false,
          sent: "Newsletter HTML and subscriber email addresses",
          received: "Delivery status",
          cls: "confidential",
          status: "approved",
        },
        {
          agent: "content-publisher",
          service: "Slack",
          host: "hooks.slack.com",
          llm: false,
          sent: "Post titles and pull-request links",
          received: "Nothing (webhook)",
          cls: "internal",
          status: "approved",
        },
        {
          agent: "analytics",
          service: "OpenAI",
          host: "api.openai.com",
          llm: true,
          sent: "Aggregated traffic and conversion metrics (no user-level rows)",
          received: "Report narratives and chart specs",
          cls: "confidential",
          status: "proposed",
        },
        {
          agent: "customer-support",
          service: "Anthropic",
          host: "api.anthropic.com",
          llm: true,
          sent: "Customer chat transcripts (names, emails, order numbers)",
          received: "Suggested replies",
          cls: "restricted",
          status: "approved",
        },
        {
          agent: "customer-support",
          service: "OpenAI (fallback model)",
          host: "api.openai.com",
          llm: true,
          sent: "Customer chat transcripts when the primary model is unavailable",
          received: "Suggested replies",
          cls: "restricted",
          status: "rejected",
        },
      ] as const;
      for (const [i, f] of flows.entries()) {
        const decided = f.status !== "proposed";
        await tx.dataFlow.create({
          data: {
            agentId: agents[f.agent].id,
            service: f.service,
            host: f.host,
            isLlmProvider: f.llm,
            dataSent: f.sent,
            dataReceived: f.received,
            classification: f.cls,
            status: f.status,
            approverId: decided ? sam.id : null,
            decidedAt: decided ? ago((40 - i * 4) * DAY) : null,
          },
        });
      }
      counts.dataFlows = flows.length;

      // ── playbooks and a stale drill
      const contacts = [
        { kind: "vendor", name: "Slack Product Security", email: "security@slack-vendor.example", phone: "+1 415 555 0142" },
        { kind: "vendor", name: "Twilio Security (SendGrid)", email: "security@sendgrid-vendor.example", phone: "+1 303 555 0199" },
        { kind: "oncall", name: "Sam Lee (security on-call)", email: "sam.lee@warden.demo", phone: "+44 20 7946 0100" },
      ];
      type Step = { phase: "detection" | "containment" | "investigation" | "recovery" | "post_mortem"; title: string; detail: string; action?: { type: string; target: string } };
      const vendorSteps: Step[] = [
        { phase: "detection", title: "Confirm the advisory", detail: "Read the vendor advisory or CVE. Find the affected tool versions and integrations in Warden's registry." },
        { phase: "detection", title: "Size the blast radius", detail: "Filter tool calls by the affected tool for the last 30 days: which agents, sessions and egress hosts." },
        {
          phase: "containment",
          title: "Deny the affected tool fleet-wide",
          detail: "Kill switch on every gateway; agents keep running without it.",
          action: { type: "deny_tool", target: "slack-notify" },
        },
        { phase: "containment", title: "Switch email to the fallback path", detail: "SendGrid → local SMTP, queue and retry.", action: { type: "switch_fallback", target: "email-provider" } },
        {
          phase: "containment",
          title: "Call the vendor's security contact",
          detail: "Confirm scope and ask for indicators of compromise.",
          action: { type: "notify", target: "vendor-security-contact" },
        },
        { phase: "investigation", title: "Review calls and egress in the exposure window", detail: "Look for unexpected hosts, parameters or volumes; export evidence." },
        { phase: "investigation", title: "Rotate reachable credentials", detail: "Rotate every credential the tool's permissions list (e.g. SLACK_WEBHOOK_URL)." },
        { phase: "recovery", title: "Re-review and pin a fixed version", detail: "New trust decision pinned to the patched content hash." },
        { phase: "recovery", title: "Release containment", detail: "Release the deny and the fallback once the fixed version is live." },
        { phase: "post_mortem", title: "Write the post-mortem", detail: "Timeline, time to contain, what the checklist missed; update the integration's audit date." },
      ];
      const spendSteps: Step[] = [
        { phase: "detection", title: "Confirm the spike", detail: "Compare the agent's cost per hour with its 7-day baseline; check for loops." },
        { phase: "containment", title: "Suspend the agent", detail: "Stops new sessions; running tool calls are refused.", action: { type: "suspend_agent", target: "analytics" } },
        { phase: "recovery", title: "Cap and resume", detail: "Set a provider-side budget, fix the loop, resume the agent and watch for an hour." },
      ];
      const breakGlass =
        "If Warden or a gateway is unreachable: SSH to the gateway host through the ops bastion with the hardware-key break-glass account, run `openclaw gateway stop`, then revoke the provider keys directly in each vendor console. Nothing on this path depends on an agent.";
      const mkSteps = (steps: Step[]) => steps.map((s, i) => ({ phase: s.phase, position: i + 1, title: s.title, detail: s.detail, action: s.action }));
      await tx.playbook.create({
        data: {
          name: "Compromised vendor",
          trigger: "vendor_advisory",
          description: "A vendor or tool publisher discloses a breach or a vulnerability in something our agents use.",
          triggerConfig: { integrationId: slack.id, severity: "critical" },
          contacts,
          breakGlass,
          steps: { create: mkSteps(vendorSteps) },
        },
      });
      const spend = await tx.playbook.create({
        data: {
          name: "Runaway spend",
          trigger: "spend_threshold",
          description: "An agent's model or API spend jumps far above its baseline.",
          triggerConfig: { percent: 90, agentId: agents.analytics.id },
          contacts: contacts.filter((c) => c.kind === "oncall"),
          breakGlass,
          steps: { create: mkSteps(spendSteps) },
        },
        include: { steps: { orderBy: { position: "asc" } } },
      });
      counts.playbooks = 2;
      counts.playbookSteps = vendorSteps.length + spendSteps.length;
      const drillStart = ago(120 * DAY);
      let cursor = drillStart.getTime();
      const stepResults = spend.steps.map((s, i) => {
        const startedAt = new Date(cursor);
        cursor += (i + 2) * 2 * MINUTE;
        return {
          stepId: s.id,
          title: s.title,
          phase: s.phase,
          startedAt: startedAt.toISOString(),
          finishedAt: new Date(cursor).toISOString(),
          outcome: "done",
          note: i === 1 ? "Suspend reached the gateway in 4 s." : "",
        };
      });
      await tx.drill.create({ data: { playbookId: spend.id, runById: sam.id, startedAt: drillStart, finishedAt: new Date(cursor), timeToContainMs: 7 * MINUTE, stepResults } });
      counts.drills = 1;

      // ── a rule that holds some calls for a person (the live demo raises such calls now and then)
      await tx.approvalRule.create({
        data: {
          scope: "agent_tool",
          agentId: agents["content-publisher"].id,
          toolName: "github-mcp",
          matchPath: "method",
          matchPattern: "^create_pull_request$",
          timeoutSeconds: 600,
          reason: "Opening a pull request on acme/website needs a person's OK",
          createdById: sam.id,
          createdAt: APPROVAL_RULE_SINCE(now),
        },
      });
      counts.approvalRules = 1;

      // Marked inside the transaction: a crash below leaves a fleet without its week of calls,
      // never a half-seeded registry that a restart would trip over. The gateway ids tell the live
      // demo (lib/demo-fleet) which gateways to simulate.
      await tx.setting.create({ data: { key: SETTING_KEY, value: { at: now.toISOString(), gateways: [prod.id, staging.id] } } });
      return { agents, pinned, people: { sam: sam.id, riley: riley.id }, identity };
    },
    { timeout: 60_000 },
  );

  // ── a week of tool calls, outside the transaction, in chunks, each decided by the real policy
  const policies = await buildGatewayPolicies([...new Set(Object.values(reg.agents).map((a) => a.gatewayId))], now);
  const calls = buildToolCalls(reg.agents, reg.pinned, policies, reg.identity, now, Math.max(0, Math.floor(opts.toolCallCount ?? SEED_CALL_COUNT)));
  for (let i = 0; i < calls.length; i += 4000) await insertToolCalls(db, calls.slice(i, i + 4000));
  counts.toolCalls = calls.length;

  await seedResponseHistory(db, { now, people: reg.people, agents: reg.agents, counts });
  // What the findings job would find over the seeded week, found by its own code now: the overview's
  // counts do not jump when the scheduler first runs.
  const found = await computeFindings({ since: new Date(now.getTime() - 7 * DAY), now });
  counts.findings = Object.values(found.counts).reduce((n, c) => n + c.created, 0);
  return { seeded: true, counts };
}

/** The demo's approval rule exists from this time (seeded calls before it ran without a person). */
export const APPROVAL_RULE_SINCE = (now: Date) => new Date(now.getTime() - 2 * DAY);

/**
 * Budgets sized from the live demo's daily spend (one agent ends its days at ~80 %),
 * and a past, resolved incident with its released kill switch, acks and post-mortem.
 */
async function seedResponseHistory(db: PrismaClient, ctx: { now: Date; people: { sam: string; riley: string }; agents: Record<string, AgentRef>; counts: Record<string, number> }) {
  const { now, people, agents, counts } = ctx;
  const ago = (ms: number) => new Date(now.getTime() - ms);
  const round = (n: number) => Math.max(1, Math.ceil(n * 100) / 100);
  // Sized from what the live demo spends in a day (lib/demo-fleet/traffic.ts), so it never trips a
  // budget: analytics would reach ~80 % by the end of a day (the breaker's 50 and 75 % warnings show),
  // the others stay under half; the fleet budget only notifies.
  const daily = Object.fromEntries(Object.entries(agents).map(([name, a]) => [name, expectedDailyUsd(name, a.model)]));
  const fleetDaily = Object.values(daily).reduce((x, y) => x + y, 0);
  await db.$transaction(async (tx) => {
    await tx.budget.create({ data: { agentId: null, dailyUsd: round(fleetDaily * 2).toFixed(2), onLimit: "notify" } });
    for (const [name, a] of Object.entries(agents)) {
      const budget = name === "analytics" ? daily[name] / 0.8 : daily[name] * 2.5;
      await tx.budget.create({ data: { agentId: a.id, dailyUsd: round(budget).toFixed(2), onLimit: "suspend_agent" } });
    }
    counts.budgets = Object.keys(agents).length + 1;

    // A resolved incident from three weeks ago: advisory → deny kill switch → acks → release.
    const slack = agents["content-publisher"];
    const opened = ago(21 * DAY);
    const at = (min: number) => new Date(opened.getTime() + min * MINUTE);
    const incident = await tx.incident.create({
      data: {
        title: "slack-notify advisory: webhook URL logged in plain text",
        severity: "high",
        status: "closed",
        ownerId: people.sam,
        summary: "The publisher disclosed that slack-notify 0.9.x logged the full webhook URL on errors.",
        postMortem:
          "Time to contain: 6 minutes (incident opened → deny applied on both gateways).\nWhat went well: the kill switch reached both gateways within seconds.\nWhat to improve: the vendor contact in the playbook was outdated; updated.",
        openedAt: opened,
        closedAt: at(3 * 60),
      },
    });
    const gatewayIds = [...new Set(Object.values(agents).map((a) => a.gatewayId))];
    const gws = await tx.gateway.findMany({ where: { id: { in: gatewayIds } }, select: { id: true, name: true } });
    const action = await tx.containmentAction.create({
      data: {
        scope: "tool",
        target: "slack-notify",
        action: "deny_tool",
        reason: "Vendor advisory: webhook URL leaked in logs",
        status: "released",
        source: "manual",
        requestedById: people.sam,
        incidentId: incident.id,
        createdAt: at(6),
        releasedAt: at(150),
        releasedById: people.riley,
        releaseReason: "Pinned the fixed 1.0.1 after re-review",
        affected: { label: "slack-notify", gateways: gws, agents: slack ? [{ id: slack.id, name: "content-publisher" }] : [] },
      },
    });
    for (const g of gws) {
      await tx.gatewayCommand.create({
        data: { actionId: action.id, gatewayId: g.id, kind: "apply", state: "applied", attempts: 1, createdAt: at(6), deliveredAt: at(6), ackedAt: new Date(at(6).getTime() + 4_000) },
      });
      await tx.gatewayCommand.create({
        data: { actionId: action.id, gatewayId: g.id, kind: "release", state: "applied", attempts: 1, createdAt: at(150), deliveredAt: at(150), ackedAt: new Date(at(150).getTime() + 3_000) },
      });
    }
    const events: [Date, string, Record<string, unknown>][] = [
      [opened, "opened", { by: "Sam Lee", source: "vendor advisory" }],
      [at(6), "containment", { containmentId: action.id, event: "applied", action: "deny_tool", label: "slack-notify", gateways: gws.length }],
      ...gws.map((g): [Date, string, Record<string, unknown>] => [new Date(at(6).getTime() + 4_000), "delivery", { containmentId: action.id, gateway: g.name, kind: "apply", state: "applied" }]),
      [at(40), "note", { by: "Sam Lee", text: "Rotated SLACK_WEBHOOK_URL; no unexpected egress in the exposure window." }],
      [at(150), "containment", { containmentId: action.id, event: "released", action: "deny_tool", label: "slack-notify", reason: "Pinned the fixed 1.0.1 after re-review" }],
      [at(180), "status", { from: "resolved", to: "closed", by: "Sam Lee" }],
    ];
    for (const [when, kind, body] of events) await tx.incidentEvent.create({ data: { incidentId: incident.id, at: when, ...timelineRow({ kind, body } as TimelineEventInput) } });
    counts.incidents = 1;
    counts.containmentActions = 1;
    // Seeding the registry queued a policy refresh for each demo gateway (database triggers): they are
    // simulated, no plugin will acknowledge it, and a real one fetches its policy when it connects.
    await tx.gatewayCommand.deleteMany({ where: { type: "policy_refresh", gatewayId: { in: gws.map((g) => g.id) } } });
  });
}

// ───────────────────────────── tool calls ─────────────────────────────

type AgentRef = { id: string; gatewayId: string; model: string; channels: string[]; teamId: string };
type Tx = Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];

/**
 * The directory behind the demo's calls: people with their senders (the requester keys a gateway
 * computes), groups, per-person rules and one rate limit, from the tables in lib/demo-fleet/traffic.ts.
 * Returns the `identity` section each demo gateway's signed policy carries for them (used to decide
 * the seeded calls when the policy itself does not carry one) and the people's ids by handle.
 */
async function seedIdentity(
  tx: Tx,
  ctx: { teams: Record<string, string>; agents: Record<string, AgentRef>; users: Record<string, string>; by: { id: string; label: string }; since: Date },
): Promise<{ people: Record<string, string>; sections: Map<string, IdentitySection>; counts: Record<string, number> }> {
  const { teams, agents, by, since } = ctx;
  const groupIds: Record<string, string> = {};
  for (const g of DEMO_GROUPS) {
    const row = await tx.personGroup.create({ data: { name: g.name, description: g.description, teamId: g.team ? teams[g.team] : null, createdAt: since } });
    groupIds[g.name] = row.id;
  }
  const people: Record<string, string> = {};
  const keys: Record<string, { person: string; groups: string[] }> = {};
  let identities = 0;
  let members = 0;
  for (const p of DEMO_PEOPLE) {
    const row = await tx.person.create({
      data: { displayName: p.name, email: p.email, teamId: p.team ? teams[p.team] : null, userId: p.user ? ctx.users[p.user] : null, createdAt: since },
    });
    people[p.handle] = row.id;
    for (const snd of p.senders) {
      const key = requesterKey(snd)!;
      await tx.personIdentity.create({ data: { personId: row.id, channel: snd.channel, accountId: snd.accountId ?? "", senderId: snd.senderId, key, createdAt: since } });
      keys[key] = { person: row.id, groups: p.groups.map((g) => groupIds[g]) };
      identities++;
    }
    for (const g of p.groups) {
      await tx.personGroupMember.create({ data: { groupId: groupIds[g], personId: row.id, createdAt: since } });
      members++;
    }
  }
  const subjectIdOf = (r: { subject: string; person?: string; group?: string }) => (r.subject === "person" ? people[r.person!] : r.subject === "group" ? groupIds[r.group!] : undefined);
  const rules = [];
  for (const r of DEMO_IDENTITY_RULES) {
    const subjectId = subjectIdOf(r);
    const row = await tx.identityRule.create({
      data: {
        subject: r.subject,
        personId: r.subject === "person" ? subjectId : null,
        groupId: r.subject === "group" ? subjectId : null,
        agentId: r.agent ? agents[r.agent].id : null,
        toolName: r.tool ?? null,
        effect: r.effect,
        reason: r.reason,
        createdById: by.id,
        createdBy: by.label,
        createdAt: since,
      },
    });
    rules.push({ row, spec: r, subjectId });
  }
  const limit = await tx.rateLimitRule.create({
    data: {
      subject: DEMO_RATE_LIMIT.subject,
      perMinute: DEMO_RATE_LIMIT.perMinute,
      shared: DEMO_RATE_LIMIT.shared,
      reason: DEMO_RATE_LIMIT.reason,
      createdById: by.id,
      createdBy: by.label,
      createdAt: since,
    },
  });
  // Per gateway, as the signed policy carries it: rules whose agent runs there, or with no agent.
  const sections = new Map<string, IdentitySection>();
  for (const gatewayId of new Set(Object.values(agents).map((a) => a.gatewayId))) {
    sections.set(gatewayId, {
      people: keys,
      rules: rules
        .filter(({ spec }) => !spec.agent || agents[spec.agent].gatewayId === gatewayId)
        .map(({ row, spec, subjectId }) => ({
          id: row.id,
          subject: spec.subject,
          ...(subjectId ? { subjectId } : {}),
          ...(spec.agent ? { agent: spec.agent } : {}),
          ...(spec.tool ? { tool: spec.tool } : {}),
          effect: spec.effect,
          reason: spec.reason,
        })),
      rateLimits: [{ id: limit.id, subject: DEMO_RATE_LIMIT.subject, perMinute: DEMO_RATE_LIMIT.perMinute, shared: DEMO_RATE_LIMIT.shared }],
    });
  }
  return {
    people,
    sections,
    counts: { people: DEMO_PEOPLE.length, personIdentities: identities, personGroups: DEMO_GROUPS.length, groupMembers: members, identityRules: rules.length, rateLimitRules: 1 },
  };
}

/** The time of the analytics agent's exec exception: before it, analytics ran no shell commands. */
const EXEC_EXCEPTION_SINCE = (now: Date) => new Date(now.getTime() - 4 * DAY);

/**
 * The seeded week: each call's agent, tool and parameters from the demo's usage table
 * (lib/demo-fleet/traffic.ts, shared with the live simulated gateways), and its decision from the
 * agent's gateway policy through the OpenClaw plugin's decide(), as a gateway would have decided it.
 * Calls the approval rule would have held for a person after it existed are not generated.
 */
/**
 * One statement per chunk (the rows travel as one JSON parameter): the rollup triggers run once per
 * statement, and thousands of calls take about a second instead of Prisma's row-by-row parameters.
 */
async function insertToolCalls(db: PrismaClient, calls: SeedCall[]): Promise<void> {
  await db.$executeRaw`
    insert into tool_calls (occurred_at, gateway_id, event_id, agent_id, agent_name, session_key, tool_name, tool_version, tool_hash,
                            params, result, decision, block_reason, duration_ms, egress_hosts, tokens_in, tokens_out, cost_usd,
                            requester, requester_kind, person_id, chain, team_id)
    select x.occurred_at, x.gateway_id, x.event_id, x.agent_id, x.agent_name, x.session_key, x.tool_name, x.tool_version, x.tool_hash,
           x.params, x.result, x.decision::"CallDecision", x.block_reason, x.duration_ms, x.egress_hosts, x.tokens_in, x.tokens_out, x.cost_usd,
           x.requester, x.requester_kind::"RequesterKind", x.person_id, x.chain, x.team_id
      from jsonb_to_recordset(${JSON.stringify(calls)}::jsonb) as x(occurred_at timestamptz, gateway_id uuid, event_id text, agent_id uuid, agent_name text,
           session_key text, tool_name text, tool_version text, tool_hash text, params jsonb, result jsonb, decision text, block_reason text,
           duration_ms int, egress_hosts text[], tokens_in int, tokens_out int, cost_usd numeric,
           requester jsonb, requester_kind text, person_id uuid, chain text[], team_id uuid)`;
}

type SeedCall = {
  occurred_at: string;
  gateway_id: string;
  event_id: string;
  agent_id: string;
  agent_name: string;
  session_key: string;
  tool_name: string;
  tool_version: string | null;
  tool_hash: string | null;
  params: unknown;
  result: unknown;
  decision: "allowed" | "blocked";
  block_reason: string | null;
  duration_ms: number;
  egress_hosts: string[];
  tokens_in: number | null;
  tokens_out: number | null;
  cost_usd: string | null;
  requester: unknown;
  requester_kind: "person" | "unmapped" | "none";
  person_id: string | null;
  chain: string[];
  team_id: string;
};

function buildToolCalls(
  agents: Record<string, AgentRef>,
  pinned: Record<string, { version: string; hash: string }>,
  policies: Map<string, GatewayPolicy>,
  identity: { people: Record<string, string>; sections: Map<string, IdentitySection> },
  now: Date,
  count: number,
): SeedCall[] {
  const rand = mulberry32(0x5eed_2026);
  const agentNames = Object.entries(DEMO_USAGE)
    .filter(([n]) => agents[n])
    .map(([n, u]) => [n, u.weight] as [string, number]);
  const ruleSince = APPROVAL_RULE_SINCE(now).getTime();
  const execSince = EXEC_EXCEPTION_SINCE(now).getTime();
  // First what each call is (when, which agent, for whom, which tool), then, in time order, what the
  // gateway decided: a rate limit counts the person's earlier allowed calls.
  const drafts: { at: number; agentName: string; toolName: string; params: Record<string, unknown>; ask: DemoAsk; sessionKey: string }[] = [];
  for (let i = 0; i < count && agentNames.length; i++) {
    // Times over the last 7 days, denser in working hours (UTC 07–19).
    let at = now.getTime() - rand() * 7 * DAY;
    for (let tries = 0; tries < 5; tries++) {
      const h = new Date(at).getUTCHours();
      if ((h >= 7 && h < 19) || rand() < 0.25) break;
      at = now.getTime() - rand() * 7 * DAY;
    }
    at = Math.floor(at);
    const agentName = weighted(rand, agentNames);
    const agent = agents[agentName];
    const policy = policies.get(agent.gatewayId) ?? null;
    const ask = askFor(rand, agentName);
    // A delegated call only through agents the seed has (always, for the demo's own tables).
    if (ask.chain.some((a) => !agents[a])) ask.chain = [];
    let toolName = weighted(rand, ask.tools ?? DEMO_USAGE[agentName].tools);
    if (toolName === "exec" && agentName === "analytics" && at < execSince) toolName = "read";
    let params = paramsFor(rand, toolName, agentName);
    for (let tries = 0; at >= ruleSince && tries < 10 && needsApproval(policy, null, { agentId: agentName, toolName, params }, at); tries++) params = paramsFor(rand, toolName, agentName);
    drafts.push({ at, agentName, toolName, params, ask, sessionKey: sessionKeyFor(rand, agentName, agent.channels, ask) });
  }
  drafts.sort((a, b) => a.at - b.at);
  const windows = new Map<string, RateWindow>();
  return drafts.map((c, i): SeedCall => {
    const { at, agentName, toolName, params, ask } = c;
    const agent = agents[agentName];
    const policy = policies.get(agent.gatewayId) ?? null;
    const pin = pinned[toolName];
    // Scope narrowing: the allowlist of every agent of the chain must allow the tool.
    let d = { allow: true, reason: "" };
    for (const a of ask.chain.length ? ask.chain : [agentName]) {
      const x = decide(policy, null, { agentId: a, toolName, toolVersion: pin?.version, toolHash: pin?.hash, params }, at);
      if (!x.allow) {
        d = x;
        break;
      }
    }
    // Then the person: the policy's identity section once it carries one, else the seeded rules as it would.
    const section = (policy as { identity?: IdentitySection } | null)?.identity ?? identity.sections.get(agent.gatewayId) ?? null;
    const window = windows.get(agent.gatewayId) ?? windows.set(agent.gatewayId, new RateWindow()).get(agent.gatewayId)!;
    if (d.allow) {
      const v = identityDecision(section, { agentId: agentName, toolName, requester: ask.requester, chain: ask.chain, tier: ask.tier }, window, at);
      if (v.allow) window.add(v.counted, at);
      else d = { allow: false, reason: v.reason };
    }
    const out = d.allow ? outcomeOf(rand, { toolName, params }, agent.model) : null;
    const requester = normalizeRequester(ask.requester) ?? null;
    const personId = ask.person ? identity.people[ask.person] : null;
    return {
      occurred_at: new Date(at).toISOString(),
      gateway_id: agent.gatewayId,
      event_id: `demo-${i}`,
      agent_id: agent.id,
      agent_name: agentName,
      session_key: c.sessionKey,
      tool_name: toolName,
      tool_version: pin?.version ?? null,
      tool_hash: pin?.hash ?? null,
      params,
      result: out ? out.result : null,
      decision: d.allow ? "allowed" : "blocked",
      block_reason: d.allow ? null : d.reason,
      duration_ms: out ? out.durationMs : 1 + Math.floor(rand() * 3),
      egress_hosts: out ? out.egressHosts : [],
      tokens_in: out?.tokensIn ?? null,
      tokens_out: out?.tokensOut ?? null,
      cost_usd: out ? out.costUsd.toFixed(6) : null,
      requester,
      requester_kind: personId ? "person" : requesterKey(requester ?? undefined) ? "unmapped" : "none",
      person_id: personId,
      chain: ask.chain,
      team_id: agent.teamId,
    };
  });
}
