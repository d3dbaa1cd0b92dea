import "server-only";
import { createHash, createPublicKey } from "node:crypto";
import { createWriteStream, type WriteStream } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { Transform, type Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import { db } from "@/lib/db";
import type { Prisma } from "@/lib/generated/prisma/client";
import pg from "pg";
import { env } from "@/lib/env";
import { GENESIS_HASH, chainHash } from "@/lib/signing/canonical";
import { effectiveAllowlists } from "@/lib/allowlist/effective";
import { signWithWardenKey, wardenPublicKey } from "@/lib/signing/keys";
import { createAuditCheckpoint } from "@/lib/audit/checkpoint";
import { CHECKPOINT_TYPE, checkpointLine, checkpointSignatureValid, type TCheckpoint } from "@/lib/audit/checkpoint-format";
import { csvRow } from "@/lib/csv";
import { TarWriter, writeWithBackpressure } from "./tar";
import {
  OCSF_VERSION,
  SIGN_IN_ACTIONS,
  blockedCallToDetectionFinding,
  containmentToEntityManagement,
  findingToDetectionFinding,
  incidentToIncidentFinding,
  signInToAuthentication,
  toolCallToApiActivity,
  trustDecisionToEntityManagement,
  type ToolCallForOcsf,
} from "./ocsf";
import { settings } from "@/lib/env";

export const MANIFEST_SCHEMA = "warden.evidence/v1";
export const PUBLIC_KEY_PATH = "/api/v1/evidence/public-key";
/** Rows per query for the two large tables (keyset pagination: never the whole window in memory). */
export const PAGE_SIZE = 5_000;
const SMALL_PAGE = 1_000;
/** Tool calls formatted per write (see the tool-call loop). */
const FLUSH_ROWS = 250;

export type ManifestFile = { path: string; sha256: string; bytes: number; rows: number | null };
export type Manifest = {
  schema: typeof MANIFEST_SCHEMA;
  exportId: string;
  createdAt: string;
  createdBy: string;
  window: { from: string; to: string };
  filters: { gatewayIds: string[]; agentIds: string[] };
  files: ManifestFile[];
  publicKeyUrl: string;
  keyId: string;
  algorithm: "Ed25519";
  ocsfVersion: string;
  generator: { name: "Warden"; version: string };
};

export type BuildInput = {
  exportId: string;
  createdBy: string;
  window: { from: Date; to: Date };
  filters: { gatewayIds: string[]; agentIds: string[] };
  /**
   * A private scratch folder for the members while they are written (each is hashed and sized
   * before it is packed); emptied before returning. The bundle itself never touches the disk.
   */
  workDir: string;
  /** Where the .tar.gz goes as it is packed (the caller stores it: evidence_export_chunks); ended on success. */
  out: Writable;
  /** Called often; the caller throttles its own writes. */
  onProgress?: (p: { phase: string; rows: number; totalEstimate: number }) => void;
  /** Awaited at the start of each step (the runner's hook; tests slow a build down with it). */
  onStep?: (phase: string) => Promise<void>;
  /** Stops the build at the next page or write (lease lost, server shutting down). */
  signal?: AbortSignal;
  /** gzip level (1 fastest … 9 smallest); 6 by default. */
  gzipLevel?: number;
  /** Include tool-call params/results (only when the requester may read them). */
  withParams: boolean;
};

export type BuildResult = { manifest: Manifest; manifestSha256: string; bundleSha256: string; bytes: number; rows: number };

/** One bundle member being written to a work file, hashed and counted as it streams. */
class Sink {
  readonly hash = createHash("sha256");
  bytes = 0;
  rows = 0;
  private readonly out: WriteStream;
  private readonly done: Promise<void>;
  constructor(
    readonly path: string,
    readonly file: string,
    readonly tabular: boolean,
  ) {
    this.out = createWriteStream(file, { mode: 0o600, highWaterMark: 1 << 20 });
    this.done = new Promise((resolve, reject) => {
      this.out.once("finish", () => resolve());
      this.out.once("error", reject);
    });
    this.done.catch(() => {}); // surfaced by close(); avoids an unhandled rejection meanwhile
  }
  async write(text: string, rows = 0): Promise<void> {
    if (!text) return;
    const buf = Buffer.from(text, "utf8");
    this.hash.update(buf);
    this.bytes += buf.length;
    this.rows += rows;
    await writeWithBackpressure(this.out, buf);
  }
  /** Append JSON lines (one per value), counting each as a row. */
  async lines(values: unknown[]): Promise<void> {
    if (!values.length) return;
    let text = "";
    for (const v of values) text += toJsonLine(v);
    await this.write(text, values.length);
  }
  async close(): Promise<ManifestFile> {
    this.out.end();
    await this.done;
    return { path: this.path, sha256: this.hash.digest("hex"), bytes: this.bytes, rows: this.tabular ? this.rows : null };
  }
  destroy() {
    this.out.destroy();
  }
}

function toJsonLine(v: unknown): string {
  return JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? x.toString() : x)) + "\n";
}

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);
const within = (d: Date | null | undefined, w: { from: Date; to: Date }) => Boolean(d) && d!.getTime() >= w.from.getTime() && d!.getTime() <= w.to.getTime();

// ───────────────────────────── tool calls ─────────────────────────────

export const TOOL_CALL_COLUMNS = [
  "id",
  "occurredAt",
  "gatewayId",
  "gatewayName",
  "eventId",
  "agentId",
  "agentName",
  "sessionKey",
  "toolName",
  "toolVersion",
  "toolHash",
  "decision",
  "policyDecision",
  "blockReason",
  "durationMs",
  "error",
  "egressHosts",
  "tokensIn",
  "tokensOut",
  "costUsd",
  "ingestedAt",
  "requesterKind",
  "personId",
  "personName",
  "requesterChannel",
  "requesterAccountId",
  "requesterSenderId",
  "chain",
  "params",
  "result",
] as const;

/** A tool call as the export query returns it: ids, money and JSON as text (spliced as-is, never re-parsed). */
type ToolCallDbRow = {
  id: string;
  occurred_ms: number;
  gateway_id: string;
  event_id: string;
  agent_id: string | null;
  agent_name: string;
  session_key: string | null;
  tool_name: string;
  tool_version: string | null;
  tool_hash: string | null;
  params: string | null;
  result: string | null;
  decision: "allowed" | "blocked" | "not_run";
  policy_decision: "allowed" | "blocked" | null;
  block_reason: string | null;
  duration_ms: number | null;
  error: string | null;
  egress_hosts: string[] | null;
  tokens_in: number | null;
  tokens_out: number | null;
  cost_usd: string | null;
  ingested_ms: number;
  requester: string | null;
  requester_kind: "person" | "unmapped" | "none";
  person_id: string | null;
  chain: string[] | null;
};

/**
 * Tool calls in the window, in (occurred_at, id) order, PAGE_SIZE at a time, on the export's own
 * connection. The keyset condition repeats `occurred_at >= cursor` on its own so the occurred_at
 * index starts each page at the cursor; pg's unnamed statements are planned with the actual
 * cursor every time (a cached generic plan would scan from the window's start on every page).
 */
async function* toolCallPages(client: pg.Client, input: BuildInput, withParams: boolean): AsyncGenerator<ToolCallDbRow[]> {
  const { from, to } = input.window;
  const values: unknown[] = [to.toISOString()];
  let extra = "";
  if (input.filters.gatewayIds.length) {
    values.push(input.filters.gatewayIds);
    extra += ` and gateway_id = any($${values.length}::uuid[])`;
  }
  if (input.filters.agentIds.length) {
    values.push(input.filters.agentIds);
    extra += ` and agent_id = any($${values.length}::uuid[])`;
  }
  const paramCols = withParams ? "params::text as params, result::text as result" : "null::text as params, null::text as result";
  const sql = `
    select id::text as id, floor(extract(epoch from occurred_at) * 1000)::float8 as occurred_ms, gateway_id::text as gateway_id, event_id,
           agent_id::text as agent_id, agent_name, session_key, tool_name, tool_version, tool_hash, ${paramCols}, decision::text as decision,
           policy_decision::text as policy_decision, block_reason, duration_ms, error, egress_hosts, tokens_in, tokens_out, cost_usd::text as cost_usd,
           floor(extract(epoch from ingested_at) * 1000)::float8 as ingested_ms,
           requester::text as requester, requester_kind::text as requester_kind, person_id::text as person_id, chain
      from tool_calls
     where occurred_at >= $${values.length + 1}::timestamptz and occurred_at <= $1::timestamptz
       and (occurred_at > $${values.length + 1}::timestamptz or id > $${values.length + 2}::bigint)
       ${extra}
     order by tool_calls.occurred_at, tool_calls.id
     limit ${PAGE_SIZE}`;
  const page = (cursorAt: string, cursorId: string) => client.query<ToolCallDbRow>(sql, [...values, cursorAt, cursorId]).then((r) => r.rows);
  // One page ahead: Postgres reads the next page while this one is formatted (at most two in memory).
  let next: Promise<ToolCallDbRow[]> | null = page(from.toISOString(), "-1");
  while (next) {
    const rows: ToolCallDbRow[] = await next;
    next = null;
    if (!rows.length) return;
    if (rows.length === PAGE_SIZE) {
      const last = rows[rows.length - 1];
      next = page(new Date(last.occurred_ms).toISOString(), last.id);
      next.catch(() => {}); // awaited on the next turn; a failure surfaces there
    }
    yield rows;
  }
}

async function countToolCalls(client: pg.Client, input: BuildInput): Promise<number> {
  const values: unknown[] = [input.window.from.toISOString(), input.window.to.toISOString()];
  let extra = "";
  if (input.filters.gatewayIds.length) {
    values.push(input.filters.gatewayIds);
    extra += ` and gateway_id = any($${values.length}::uuid[])`;
  }
  if (input.filters.agentIds.length) {
    values.push(input.filters.agentIds);
    extra += ` and agent_id = any($${values.length}::uuid[])`;
  }
  const { rows } = await client.query<{ n: string }>(`select count(*)::text as n from tool_calls where occurred_at >= $1::timestamptz and occurred_at <= $2::timestamptz${extra}`, values);
  return Number(rows[0].n);
}

// ───────────────────────────── audit trail ─────────────────────────────

/**
 * The audit events of the window as one contiguous stretch of the chain: from the first id created
 * at/after `from` to the last id created at/before `to` (ids, not clocks, define the chain).
 */
async function auditRange(w: { from: Date; to: Date }): Promise<{ firstId: bigint; lastId: bigint } | null> {
  const [first, last] = await Promise.all([
    db.auditEvent.findFirst({ where: { createdAt: { gte: w.from } }, orderBy: { id: "asc" }, select: { id: true } }),
    db.auditEvent.findFirst({ where: { createdAt: { lte: w.to } }, orderBy: { id: "desc" }, select: { id: true } }),
  ]);
  if (!first || !last || first.id > last.id) return null;
  return { firstId: first.id, lastId: last.id };
}

type ChainReport = {
  firstId: string | null;
  lastId: string | null;
  count: number;
  /** The event just before the window, whose hash the first event's prevHash must equal. */
  anchor: { id: string | null; hash: string; matches: boolean } | null;
  headHash: string | null;
  verified: boolean;
  firstBrokenId: string | null;
  reason: string | null;
  method: string;
  /** Signed checkpoints in audit/checkpoints.jsonl: those whose head is in the window, then the one made for this export. */
  checkpoints: { included: number; matched: number; mismatched: string[]; rejected: number; export: { headId: string; count: number; at: string } | null };
};

// ───────────────────────────── the build ─────────────────────────────

/**
 * Build one signed evidence bundle (.tar.gz) for a window: every member is streamed to a scratch
 * file and hashed as it is written, then packed into `out` in order with manifest.json (listing each member's
 * SHA-256, bytes and rows) and manifest.sig (Ed25519 over manifest.json's exact bytes) last.
 */
export async function buildEvidenceBundle(input: BuildInput): Promise<BuildResult> {
  const { window: w, filters } = input;
  const work = input.workDir;
  await fs.mkdir(work, { recursive: true, mode: 0o700 });
  const sinks: Sink[] = [];
  const sink = (p: string, tabular = true) => {
    const s = new Sink(p, path.join(work, p.replace(/[/]/g, "__")), tabular);
    sinks.push(s);
    return s;
  };

  let rows = 0;
  let phase = "counting";
  let totalEstimate = 0;
  const progress = (n = 0) => {
    input.signal?.throwIfAborted();
    rows += n;
    input.onProgress?.({ phase, rows, totalEstimate });
  };
  const step = async (next: string) => {
    phase = next;
    input.signal?.throwIfAborted();
    await input.onStep?.(next);
    progress();
  };

  // The two big scans run on a connection of their own (see toolCallPages), outside Prisma's pool.
  const client = new pg.Client({ connectionString: env().DATABASE_URL, application_name: "warden-evidence-export" });
  try {
    await client.connect();
    // Keep the scans on the occurred_at index even when the table's statistics are stale (a bulk
    // load not yet analysed): a sequential scan + sort would re-read the rest of the window per page.
    await client.query("set enable_seqscan = off; set enable_bitmapscan = off");
    await step("counting");
    // A checkpoint of the whole chain as it stands now: it leaves in this bundle (and by webhook
    // and file), so the auditor holds an anchor for every row up to here.
    const exportCheckpoint = await createAuditCheckpoint("export");
    const range = await auditRange(w);
    const [auditCount, toolCallCount] = await Promise.all([range ? db.auditEvent.count({ where: { id: { gte: range.firstId, lte: range.lastId } } }) : 0, countToolCalls(client, input)]);
    totalEstimate = auditCount + toolCallCount;

    const users = new Map((await db.user.findMany({ select: { id: true, email: true } })).map((u) => [u.id, u]));
    const gateways = new Map((await db.gateway.findMany({ select: { id: true, name: true } })).map((g) => [g.id, g.name]));
    // Who asked: the directory's names (a person deleted since keeps their id).
    const personNames = new Map((await db.person.findMany({ select: { id: true, displayName: true } })).map((p) => [p.id, p.displayName]));
    const person = (id: string | null | undefined) => (id ? { id, email: users.get(id)?.email ?? "(deleted user)" } : null);

    const readme = sink("README.txt", false);
    // Before the events, so a verifier knows which rows to compare while it streams them.
    const checkpointsFile = sink("audit/checkpoints.jsonl");
    const auditFile = sink("audit/audit_events.jsonl");
    const chainFile = sink("audit/chain.json", false);
    const decisionsFile = sink("registry/trust_decisions.jsonl");
    const requestsFile = sink("registry/tool_requests.jsonl");
    const allowlistFile = sink("registry/allowlist_snapshot.json");
    const flowsFile = sink("registry/data_flows.jsonl");
    const integrationsFile = sink("registry/integrations.jsonl");
    const containmentFile = sink("response/containment_actions.jsonl");
    const incidentsFile = sink("response/incidents.jsonl");
    const drillsFile = sink("response/drills.jsonl");
    const findingsFile = sink("response/findings.jsonl");
    const csvFile = sink("tool_calls/tool_calls.csv");
    const callsFile = sink("tool_calls/tool_calls.jsonl");
    const ocsfFile = sink("ocsf/events.jsonl");
    const keyFile = sink("warden-public-key.pem", false);

    // ── audit trail (and sign-ins as OCSF Authentication)
    await step("audit");
    const chain: ChainReport = {
      firstId: null,
      lastId: null,
      count: 0,
      anchor: null,
      headHash: null,
      verified: true,
      firstBrokenId: null,
      reason: null,
      method: "hash = SHA-256(prevHash + canonical JSON of the event without prevHash/hash); see lib/signing/canonical.ts",
      checkpoints: {
        included: 0,
        matched: 0,
        mismatched: [],
        rejected: 0,
        export: exportCheckpoint ? { headId: exportCheckpoint.headId, count: exportCheckpoint.count, at: exportCheckpoint.at } : null,
      },
    };
    // Checkpoints whose head falls in the window (only validly signed ones: the table is the database's copy).
    const expected = new Map<string, string[]>();
    {
      const key = await wardenPublicKey();
      const publicKey = createPublicKey(key.publicKeyPem);
      for (let cursor = -1n; range;) {
        const page = await db.auditCheckpoint.findMany({ where: { id: { gt: cursor }, headId: { gte: range.firstId, lte: range.lastId } }, orderBy: { id: "asc" }, take: SMALL_PAGE });
        if (!page.length) break;
        const lines: string[] = [];
        for (const r of page) {
          const cp: TCheckpoint = {
            v: 1,
            type: CHECKPOINT_TYPE,
            headId: r.headId.toString(),
            headHash: r.headHash,
            count: Number(r.count),
            at: r.at.toISOString(),
            keyId: r.keyId,
            reason: r.reason === "export" ? "export" : "interval",
            sig: r.signature,
          };
          if (!checkpointSignatureValid(cp, publicKey, key.keyId)) {
            chain.checkpoints.rejected++;
            continue;
          }
          lines.push(checkpointLine(cp));
          expected.set(cp.headId, [...(expected.get(cp.headId) ?? []), cp.headHash]);
        }
        if (lines.length) await checkpointsFile.write(lines.join("\n") + "\n", lines.length);
        chain.checkpoints.included += lines.length;
        cursor = page[page.length - 1].id;
      }
      if (exportCheckpoint) {
        await checkpointsFile.write(checkpointLine(exportCheckpoint) + "\n", 1);
        chain.checkpoints.included++;
      }
    }
    if (range) {
      const before = await db.auditEvent.findFirst({ where: { id: { lt: range.firstId } }, orderBy: { id: "desc" }, select: { id: true, hash: true } });
      let prev: string | null = null;
      let cursor = range.firstId - 1n;
      for (;;) {
        const page = await db.auditEvent.findMany({ where: { id: { gt: cursor, lte: range.lastId } }, orderBy: { id: "asc" }, take: PAGE_SIZE });
        if (!page.length) break;
        const lines: unknown[] = [];
        const ocsf: unknown[] = [];
        for (const r of page) {
          const id = r.id.toString();
          const fields = {
            id,
            createdAt: r.createdAt,
            actorType: r.actorType,
            actorId: r.actorId,
            actorLabel: r.actorLabel,
            role: r.role,
            action: r.action,
            outcome: r.outcome,
            targetType: r.targetType,
            targetId: r.targetId,
            before: r.before ?? null,
            after: r.after ?? null,
            ip: r.ip,
            userAgent: r.userAgent,
          };
          if (prev === null) {
            chain.firstId = id;
            const anchorHash = before?.hash ?? GENESIS_HASH;
            chain.anchor = { id: before ? before.id.toString() : null, hash: r.prevHash, matches: r.prevHash === anchorHash };
            prev = r.prevHash;
            if (r.prevHash !== anchorHash && chain.verified) Object.assign(chain, { verified: false, firstBrokenId: id, reason: "the first event does not link to the event before the window" });
          }
          if (chain.verified) {
            if (r.prevHash !== prev) Object.assign(chain, { verified: false, firstBrokenId: id, reason: "previous hash does not match (an event before it was removed or altered)" });
            else if (chainHash(prev, fields) !== r.hash) Object.assign(chain, { verified: false, firstBrokenId: id, reason: "content does not match its hash (the event was altered)" });
          }
          for (const h of expected.get(id) ?? []) {
            if (h === r.hash) chain.checkpoints.matched++;
            else chain.checkpoints.mismatched.push(id);
          }
          prev = r.hash;
          chain.lastId = id;
          chain.headHash = r.hash;
          chain.count++;
          lines.push({ ...fields, createdAt: r.createdAt.toISOString(), prevHash: r.prevHash, hash: r.hash });
          if ((SIGN_IN_ACTIONS as readonly string[]).includes(r.action)) ocsf.push(signInToAuthentication({ ...fields, outcome: r.outcome }));
        }
        await auditFile.lines(lines);
        await ocsfFile.lines(ocsf);
        cursor = page[page.length - 1].id;
        progress(page.length);
      }
    }
    await chainFile.write(JSON.stringify({ window: { from: w.from.toISOString(), to: w.to.toISOString() }, ...chain }, null, 2) + "\n");

    // ── registry
    await step("registry");
    for (let cursor: string | undefined; ;) {
      const page = await db.trustDecision.findMany({
        where: { decidedAt: { lte: w.to } },
        orderBy: [{ decidedAt: "asc" }, { id: "asc" }],
        take: SMALL_PAGE,
        ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
        include: { toolVersion: { select: { version: true, contentHash: true, tool: { select: { id: true, name: true, kind: true } } } }, integration: { select: { id: true, name: true } } },
      });
      if (!page.length) break;
      const lines: unknown[] = [];
      const ocsf: unknown[] = [];
      for (const d of page) {
        const subject = d.toolVersion
          ? { type: "tool", id: d.toolVersion.tool.id, name: d.toolVersion.tool.name, kind: d.toolVersion.tool.kind, version: d.toolVersion.version, contentHash: d.toolVersion.contentHash }
          : d.integration
            ? { type: "integration", id: d.integration.id, name: d.integration.name }
            : null;
        const shaped = {
          id: d.id,
          requestId: d.requestId,
          subject,
          outcome: d.outcome,
          checklist: d.checklist,
          reason: d.reason,
          conditions: d.conditions,
          decidedAt: iso(d.decidedAt),
          reReviewAt: iso(d.reReviewAt),
          decider: person(d.deciderId),
          revokedAt: iso(d.revokedAt),
          revokedBy: person(d.revokedById),
          revokeReason: d.revokeReason,
          decidedInWindow: within(d.decidedAt, w),
          revokedInWindow: within(d.revokedAt, w),
        };
        lines.push(shaped);
        const forOcsf = {
          id: d.id,
          outcome: d.outcome,
          reason: d.reason,
          decidedAt: d.decidedAt,
          revokedAt: d.revokedAt,
          revokeReason: d.revokeReason,
          decider: person(d.deciderId),
          revokedBy: person(d.revokedById),
          subject: subject ? (subject.type === "tool" ? `${subject.name}@${(subject as { version: string }).version}` : subject.name) : d.id,
          contentHash: d.toolVersion?.contentHash ?? null,
          conditions: d.conditions,
        };
        if (shaped.decidedInWindow) ocsf.push(trustDecisionToEntityManagement(forOcsf, "decided"));
        if (shaped.revokedInWindow) ocsf.push(trustDecisionToEntityManagement(forOcsf, "revoked"));
      }
      await decisionsFile.lines(lines);
      await ocsfFile.lines(ocsf);
      cursor = page[page.length - 1].id;
      progress(page.length);
    }

    for (let cursor: string | undefined; ;) {
      const page = await db.toolRequest.findMany({
        where: { createdAt: { lte: w.to } },
        orderBy: [{ createdAt: "asc" }, { id: "asc" }],
        take: SMALL_PAGE,
        ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
        include: {
          toolVersion: { select: { version: true, contentHash: true, tool: { select: { id: true, name: true } } } },
          decisions: { select: { id: true, outcome: true, decidedAt: true }, orderBy: { decidedAt: "asc" } },
        },
      });
      if (!page.length) break;
      await requestsFile.lines(
        page.map((r) => ({
          id: r.id,
          tool: { id: r.toolVersion.tool.id, name: r.toolVersion.tool.name, version: r.toolVersion.version, contentHash: r.toolVersion.contentHash },
          requester: person(r.requesterId),
          justification: r.justification,
          requestedPermissions: r.requestedPermissions,
          agentIds: r.agentIds,
          bundleIds: r.bundleIds,
          status: r.status,
          createdAt: iso(r.createdAt),
          updatedAt: iso(r.updatedAt),
          decisions: r.decisions.map((d) => ({ id: d.id, outcome: d.outcome, decidedAt: iso(d.decidedAt) })),
        })),
      );
      cursor = page[page.length - 1].id;
      progress(page.length);
    }

    // Agents in scope: the filters narrow allowlists and data flows to the chosen agents/gateways.
    const agentWhere: Prisma.AgentWhereInput = {
      ...(filters.agentIds.length ? { id: { in: filters.agentIds } } : {}),
      ...(filters.gatewayIds.length ? { gatewayId: { in: filters.gatewayIds } } : {}),
    };
    const scoped = filters.agentIds.length || filters.gatewayIds.length ? (await db.agent.findMany({ where: agentWhere, select: { id: true } })).map((a) => a.id) : undefined;
    const computedAt = new Date();
    const lists = await effectiveAllowlists(scoped, computedAt);
    const agentsMeta = new Map((await db.agent.findMany({ where: scoped ? { id: { in: scoped } } : {}, select: { id: true, gatewayId: true } })).map((a) => [a.id, a.gatewayId]));
    await allowlistFile.write(
      `{"computedAt":${JSON.stringify(computedAt.toISOString())},"note":"Effective allowlist of each agent when the export ran (bundles + grants + exceptions, only approved tool versions pinned to their hash).","agents":[`,
    );
    let first = true;
    for (const list of [...lists.values()].sort((a, b) => a.agentName.localeCompare(b.agentName))) {
      await allowlistFile.write(
        (first ? "\n" : ",\n") + JSON.stringify({ ...list, gatewayId: agentsMeta.get(list.agentId) ?? null, gatewayName: gateways.get(agentsMeta.get(list.agentId) ?? "") ?? null }),
        1,
      );
      first = false;
    }
    await allowlistFile.write("\n]}\n");

    for (let cursor: string | undefined; ;) {
      const page = await db.dataFlow.findMany({
        where: { createdAt: { lte: w.to }, ...(scoped ? { agentId: { in: scoped } } : {}) },
        orderBy: [{ createdAt: "asc" }, { id: "asc" }],
        take: SMALL_PAGE,
        ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
        include: { agent: { select: { name: true } } },
      });
      if (!page.length) break;
      await flowsFile.lines(
        page.map(({ agent, approverId, ...f }) => ({
          ...f,
          agentName: agent.name,
          approver: person(approverId),
          decidedAt: iso(f.decidedAt),
          createdAt: iso(f.createdAt),
          updatedAt: iso(f.updatedAt),
        })),
      );
      cursor = page[page.length - 1].id;
      progress(page.length);
    }

    for (let cursor: string | undefined; ;) {
      // Integrations hold no secrets (vendor contacts and review data only); listed field by field anyway.
      const page = await db.integration.findMany({
        where: { createdAt: { lte: w.to } },
        orderBy: [{ createdAt: "asc" }, { id: "asc" }],
        take: SMALL_PAGE,
        ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
        select: {
          id: true,
          name: true,
          provider: true,
          providerVerified: true,
          reason: true,
          permissions: true,
          auditDate: true,
          auditResult: true,
          dependencyStatus: true,
          securityContactName: true,
          securityContactEmail: true,
          securityContactPhone: true,
          disclosureProcess: true,
          irPartner: true,
          degradation: true,
          nextReviewAt: true,
          advisoryFlaggedAt: true,
          advisoryNote: true,
          fallbackActiveAt: true,
          createdAt: true,
          updatedAt: true,
          agents: { select: { agentId: true } },
        },
      });
      if (!page.length) break;
      await integrationsFile.lines(page.map(({ agents, ...i }) => ({ ...i, agentIds: agents.map((a) => a.agentId) })));
      cursor = page[page.length - 1].id;
      progress(page.length);
    }

    // ── response
    await step("response");
    for (let cursor: string | undefined; ;) {
      const page = await db.containmentAction.findMany({
        where: {
          createdAt: { lte: w.to },
          OR: [{ releasedAt: null }, { releasedAt: { gte: w.from } }],
          ...(filters.gatewayIds.length ? { deliveries: { some: { gatewayId: { in: filters.gatewayIds } } } } : {}),
        },
        orderBy: [{ createdAt: "asc" }, { id: "asc" }],
        take: SMALL_PAGE,
        ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
        include: { deliveries: { where: filters.gatewayIds.length ? { gatewayId: { in: filters.gatewayIds } } : {}, orderBy: { createdAt: "asc" } } },
      });
      if (!page.length) break;
      const lines: unknown[] = [];
      const ocsf: unknown[] = [];
      for (const a of page) {
        const deliveries = a.deliveries.map((d) => ({
          id: d.id,
          gatewayId: d.gatewayId,
          gatewayName: gateways.get(d.gatewayId) ?? null,
          kind: d.kind,
          state: d.state,
          attempts: d.attempts,
          deliveredAt: iso(d.deliveredAt),
          ackedAt: iso(d.ackedAt),
          escalatedAt: iso(d.escalatedAt),
          error: d.error,
          wsState: d.wsState,
          wsAt: iso(d.wsAt),
          wsError: d.wsError,
          createdAt: iso(d.createdAt),
        }));
        const shaped = {
          id: a.id,
          scope: a.scope,
          target: a.target,
          action: a.action,
          reason: a.reason,
          status: a.status,
          source: a.source,
          options: a.options,
          affected: a.affected,
          incidentId: a.incidentId,
          requestedBy: person(a.requestedById),
          createdAt: iso(a.createdAt),
          releasedAt: iso(a.releasedAt),
          releasedBy: person(a.releasedById),
          releaseReason: a.releaseReason,
          deliveries,
        };
        lines.push(shaped);
        const forOcsf = {
          ...shaped,
          createdAt: a.createdAt,
          releasedAt: a.releasedAt,
          deliveries: deliveries.map((d) => ({ gatewayId: d.gatewayId, kind: d.kind, state: d.state, deliveredAt: d.deliveredAt, ackedAt: d.ackedAt, escalatedAt: d.escalatedAt, wsState: d.wsState })),
        };
        if (within(a.createdAt, w)) ocsf.push(containmentToEntityManagement(forOcsf, "created"));
        if (within(a.releasedAt, w)) ocsf.push(containmentToEntityManagement(forOcsf, "released"));
      }
      await containmentFile.lines(lines);
      await ocsfFile.lines(ocsf);
      cursor = page[page.length - 1].id;
      progress(page.length);
    }

    for (let cursor: string | undefined; ;) {
      const page = await db.incident.findMany({
        where: { openedAt: { lte: w.to }, OR: [{ closedAt: null }, { closedAt: { gte: w.from } }] },
        orderBy: [{ openedAt: "asc" }, { id: "asc" }],
        take: SMALL_PAGE,
        ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
        include: {
          playbook: { select: { id: true, name: true } },
          finding: { select: { id: true, title: true, kind: true } },
          timeline: { where: { at: { lte: w.to } }, orderBy: [{ at: "asc" }, { id: "asc" }] },
        },
      });
      if (!page.length) break;
      const lines: unknown[] = [];
      const ocsf: unknown[] = [];
      for (const i of page) {
        const timeline = i.timeline.map((t) => ({ id: t.id.toString(), at: iso(t.at), kind: t.kind, body: t.body }));
        lines.push({
          id: i.id,
          title: i.title,
          severity: i.severity,
          status: i.status,
          owner: person(i.ownerId),
          playbook: i.playbook,
          finding: i.finding,
          summary: i.summary,
          postMortem: i.postMortem,
          dedupeKey: i.dedupeKey,
          openedAt: iso(i.openedAt),
          closedAt: iso(i.closedAt),
          timeline,
        });
        const lastInWindow = [...i.timeline].reverse().find((t) => within(t.at, w))?.at ?? null;
        ocsf.push(
          incidentToIncidentFinding(
            {
              id: i.id,
              title: i.title,
              severity: i.severity,
              status: i.status,
              summary: i.summary,
              openedAt: i.openedAt,
              closedAt: i.closedAt,
              owner: person(i.ownerId),
              finding: i.finding,
              lastActivityAt: lastInWindow,
            },
            w,
          ),
        );
      }
      await incidentsFile.lines(lines);
      await ocsfFile.lines(ocsf);
      cursor = page[page.length - 1].id;
      progress(page.length);
    }

    for (let cursor: string | undefined; ;) {
      const page = await db.drill.findMany({
        where: { startedAt: { gte: w.from, lte: w.to } },
        orderBy: [{ startedAt: "asc" }, { id: "asc" }],
        take: SMALL_PAGE,
        ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
        include: { playbook: { select: { id: true, name: true } } },
      });
      if (!page.length) break;
      await drillsFile.lines(
        page.map((d) => ({
          id: d.id,
          playbook: d.playbook,
          runBy: person(d.runById),
          startedAt: iso(d.startedAt),
          finishedAt: iso(d.finishedAt),
          timeToContainMs: d.timeToContainMs,
          stepResults: d.stepResults,
        })),
      );
      cursor = page[page.length - 1].id;
      progress(page.length);
    }

    for (let cursor: string | undefined; ;) {
      const page = await db.finding.findMany({
        where: {
          firstSeenAt: { lte: w.to },
          lastSeenAt: { gte: w.from },
          ...(filters.gatewayIds.length ? { gatewayId: { in: filters.gatewayIds } } : {}),
          ...(filters.agentIds.length ? { agentId: { in: filters.agentIds } } : {}),
        },
        orderBy: [{ firstSeenAt: "asc" }, { id: "asc" }],
        take: SMALL_PAGE,
        ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
      });
      if (!page.length) break;
      await findingsFile.lines(page.map((f) => ({ ...f, firstSeenAt: iso(f.firstSeenAt), lastSeenAt: iso(f.lastSeenAt) })));
      await ocsfFile.lines(page.map((f) => findingToDetectionFinding(f, w)));
      cursor = page[page.length - 1].id;
      progress(page.length);
    }

    // ── tool calls: one pass feeds the CSV, the JSON lines and the OCSF events
    await step("tool_calls");
    await csvFile.write(csvRow([...TOOL_CALL_COLUMNS]));
    for await (const page of toolCallPages(client, input, input.withParams)) {
      // Formatted and flushed FLUSH_ROWS at a time: short-lived strings stay in V8's young
      // generation instead of piling up as old-generation garbage (that is what bounds the RSS).
      for (let start = 0; start < page.length; start += FLUSH_ROWS) {
        const end = Math.min(page.length, start + FLUSH_ROWS);
        let csv = "";
        let jsonl = "";
        let ocsf = "";
        let blocked = 0;
        for (let k = start; k < end; k++) {
          const r = page[k];
          const call: ToolCallForOcsf & { occurredAt: string; ingestedAt: string } = {
            id: r.id,
            occurredAt: new Date(r.occurred_ms).toISOString(),
            gatewayId: r.gateway_id,
            gatewayName: gateways.get(r.gateway_id) ?? null,
            eventId: r.event_id,
            agentId: r.agent_id,
            agentName: r.agent_name,
            sessionKey: r.session_key,
            toolName: r.tool_name,
            toolVersion: r.tool_version,
            toolHash: r.tool_hash,
            decision: r.decision,
            policyDecision: r.policy_decision,
            blockReason: r.block_reason,
            durationMs: r.duration_ms,
            error: r.error,
            egressHosts: r.egress_hosts ?? [],
            tokensIn: r.tokens_in,
            tokensOut: r.tokens_out,
            costUsd: r.cost_usd,
            ingestedAt: new Date(r.ingested_ms).toISOString(),
            requester: r.requester === null ? null : (JSON.parse(r.requester) as ToolCallForOcsf["requester"]),
            requesterKind: r.requester_kind,
            personId: r.person_id,
            personName: r.person_id ? (personNames.get(r.person_id) ?? null) : null,
            chain: r.chain ?? [],
          };
          const asked = (call.requester ?? {}) as { channel?: string; accountId?: string; senderId?: string };
          const who: Record<string, unknown> = { requesterChannel: asked.channel, requesterAccountId: asked.accountId, requesterSenderId: asked.senderId, chain: call.chain.join(" > ") };
          // The app's CSV writer (lib/csv.ts): every text cell quoted, formulas neutralised;
          // params/result are the stored JSON text, one cell each.
          csv += csvRow(TOOL_CALL_COLUMNS.map((key) => (key === "params" ? r.params : key === "result" ? r.result : key in who ? who[key] : (call as Record<string, unknown>)[key])));
          const meta = JSON.stringify(call);
          jsonl += input.withParams ? `${meta.slice(0, -1)},"params":${r.params ?? "null"},"result":${r.result ?? "null"}}\n` : `${meta}\n`;
          ocsf += toJsonLine(toolCallToApiActivity(call));
          if (r.decision === "blocked") {
            ocsf += toJsonLine(blockedCallToDetectionFinding(call));
            blocked++;
          }
        }
        await csvFile.write(csv, end - start);
        await callsFile.write(jsonl, end - start);
        await ocsfFile.write(ocsf, end - start + blocked);
      }
      progress(page.length);
    }

    // ── key and readme
    const key = await wardenPublicKey();
    await keyFile.write(key.publicKeyPem.endsWith("\n") ? key.publicKeyPem : `${key.publicKeyPem}\n`);
    await readme.write(readmeText({ exportId: input.exportId, window: w, keyId: key.keyId }));

    await step("packing");
    const files: ManifestFile[] = [];
    for (const s of sinks) files.push(await s.close());

    const manifest: Manifest = {
      schema: MANIFEST_SCHEMA,
      exportId: input.exportId,
      createdAt: new Date().toISOString(),
      createdBy: input.createdBy,
      window: { from: w.from.toISOString(), to: w.to.toISOString() },
      filters,
      files,
      publicKeyUrl: PUBLIC_KEY_PATH,
      keyId: key.keyId,
      algorithm: "Ed25519",
      ocsfVersion: OCSF_VERSION,
      generator: { name: "Warden", version: settings.version() },
    };
    const manifestBytes = Buffer.from(JSON.stringify(manifest, null, 2) + "\n", "utf8");
    const signed = await signWithWardenKey(manifestBytes);
    if (signed.keyId !== key.keyId) throw new Error("signing key changed during the export");

    const gzip = createGzip({ level: input.gzipLevel ?? 6 });
    const bundleHash = createHash("sha256");
    let bytes = 0;
    const hashing = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        bundleHash.update(chunk);
        bytes += chunk.length;
        cb(null, chunk);
      },
    });
    // Back-pressure end to end: the tar waits for gzip, gzip for the caller's store (a database insert per ~1 MB).
    const written = pipeline(gzip, hashing, input.out, { signal: input.signal });
    written.catch(() => {}); // awaited below; a failure also surfaces through the writes
    const tar = new TarWriter(gzip, new Date(manifest.createdAt));
    for (const s of sinks) {
      const f = files.find((x) => x.path === s.path)!;
      input.signal?.throwIfAborted();
      await tar.addFile(s.path, s.file, f.bytes);
    }
    await tar.addBuffer("manifest.json", manifestBytes);
    await tar.addBuffer("manifest.sig", signed.signature + "\n");
    await tar.finish();
    gzip.end();
    await written;
    await fs.rm(work, { recursive: true, force: true });

    const totalRows = files.reduce((n, f) => n + (f.rows ?? 0), 0);
    return { manifest, manifestSha256: createHash("sha256").update(manifestBytes).digest("hex"), bundleSha256: bundleHash.digest("hex"), bytes, rows: totalRows };
  } catch (err) {
    for (const s of sinks) s.destroy();
    input.out.destroy();
    await fs.rm(work, { recursive: true, force: true }).catch(() => {});
    throw err;
  } finally {
    await client.end().catch(() => {});
  }
}

function readmeText(o: { exportId: string; window: { from: Date; to: Date }; keyId: string }): string {
  return `Warden evidence bundle ${o.exportId}
Window: ${o.window.from.toISOString()} to ${o.window.to.toISOString()} (UTC)

manifest.json lists every file with its SHA-256, size and row count; manifest.sig is an Ed25519
signature (base64) over the exact bytes of manifest.json, made with Warden's signing key
(key id ${o.keyId}). Warden publishes its public key at ${PUBLIC_KEY_PATH}.

To verify:
  npm run evidence:verify -- <bundle.tar.gz> --url https://<your-warden>
  npm run evidence:verify -- <bundle.tar.gz> --key warden-public-key.pem
or by hand (OpenSSL 3):
  tar xzf <bundle.tar.gz> && base64 -d manifest.sig > manifest.sig.bin
  openssl pkeyutl -verify -pubin -inkey <key from your Warden>.pem -rawin -in manifest.json -sigfile manifest.sig.bin
  sha256sum <each file> and compare with manifest.json

warden-public-key.pem is included for convenience only: checking the signature with it proves the
bundle is intact, not that it came from your Warden. Use the key your Warden serves.

Contents
  audit/audit_events.jsonl      the audit trail of the window, hash-chained (id, prevHash, hash, every field)
  audit/checkpoints.jsonl       signed checkpoints of the chain (head id, head hash, row count, time; Ed25519 with
                                Warden's key over the canonical JSON of the other fields): those whose head is in the
                                window, then one made for this export. Keep them: "npm run warden -- audit verify
                                --checkpoints <file>" later shows any row up to a checkpoint's head that was deleted
                                or rewritten since.
  audit/chain.json              first/last id, the link to the event before the window, whether the chain verified,
                                and how the checkpoints compare with the events in the bundle
  registry/*                    trust decisions, tool requests, effective allowlists, data flows, integrations
  response/*                    containment actions with per-gateway deliveries, incidents with timelines, drills, findings
  tool_calls/tool_calls.csv     tool calls (metadata, parameters and results; parameters were redacted at ingest)
  tool_calls/tool_calls.jsonl   the same as JSON lines
  ocsf/events.jsonl             the same events as OCSF ${OCSF_VERSION} (API Activity, Entity Management,
                                Detection Finding, Incident Finding, Authentication)
`;
}
