import { createHash, createPublicKey, verify as edVerify } from "node:crypto";
import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import { createGunzip } from "node:zlib";
import { chainHash } from "@/lib/signing/canonical";
import { checkpointSignatureValid, parseCheckpointLine, publicKeyId, type TCheckpoint } from "../audit/checkpoint-format";
import { validateOcsf } from "./ocsf";
import { readTar } from "./tar";

/*
 * Offline verification of an evidence bundle: pure Node (no database, no Next), so the CLI
 * (scripts/evidence-verify.ts), the upload page and the tests share it. Everything streams: a
 * bundle of any size is checked with bounded memory.
 */

export type FileStatus = "ok" | "altered" | "missing" | "extra";
export type FileCheck = {
  path: string;
  status: FileStatus;
  expected?: { sha256: string; bytes: number; rows: number | null };
  actual?: { sha256: string; bytes: number };
  detail?: string;
};

export type VerifyReport = {
  /** True only when the signature checks out and every listed file is present and unaltered, with nothing extra. */
  ok: boolean;
  signature: "ok" | "bad";
  signatureDetail: string;
  /** Which key checked the signature: one passed in (from a file or the Warden server) or the copy inside the bundle. */
  keySource: "provided" | "embedded" | "none";
  keyId: string | null;
  manifestKeyId: string | null;
  manifest: { exportId: string; createdAt: string; createdBy: string; window: { from: string; to: string }; filters: unknown } | null;
  files: FileCheck[];
  /** The audit trail recomputed from audit/audit_events.jsonl (independent of the signature). */
  chain: { ok: boolean; checked: number; firstBrokenId: string | null; reason: string | null } | null;
  /**
   * audit/checkpoints.jsonl: each checkpoint's signature (with the same key as the manifest) and,
   * where its head is an event in the bundle, that event's hash. A checkpoint whose head is
   * beyond the window (the one made for the export, usually) is for `audit verify` on the server.
   */
  checkpoints: { checked: number; validSignatures: number; badSignatures: number; malformed: number; matched: number; mismatched: string[]; outsideWindow: number } | null;
  /** Every line of ocsf/events.jsonl checked with validateOcsf (a sanity check on the format). */
  ocsf: { checked: number; invalid: number; examples: string[] } | null;
  warnings: string[];
  errors: string[];
};

const META_FILES = new Set(["manifest.json", "manifest.sig"]);
const EMBEDDED_KEY = "warden-public-key.pem";
const SMALL_LIMIT = 16 * 1024 * 1024;

/** Key id as Warden computes it: the first 16 hex digits of SHA-256 over the SPKI DER of the key. */
export function keyIdOf(publicKeyPem: string): string {
  return publicKeyId(publicKeyPem);
}

/** Splits a byte stream into lines (UTF-8 safe across chunk boundaries). */
class LineSplitter {
  private readonly decoder = new StringDecoder("utf8");
  private rest = "";
  constructor(private readonly onLine: (line: string) => void) {}
  push(chunk: Buffer) {
    const text = this.rest + this.decoder.write(chunk);
    let start = 0;
    for (let nl = text.indexOf("\n"); nl !== -1; nl = text.indexOf("\n", start)) {
      this.onLine(text.slice(start, nl));
      start = nl + 1;
    }
    this.rest = text.slice(start);
  }
  end() {
    const last = this.rest + this.decoder.end();
    if (last.trim()) this.onLine(last);
    this.rest = "";
  }
}

/** Collects the checkpoints of audit/checkpoints.jsonl (signatures are checked once the key is known). */
function checkpointCollector() {
  const state = { list: [] as TCheckpoint[], malformed: 0, tooMany: false };
  const splitter = new LineSplitter((line) => {
    if (!line.trim()) return;
    if (state.list.length >= 1_000_000) return void (state.tooMany = true);
    const parsed = line.length <= 4096 ? parseCheckpointLine(line) : null;
    if (parsed?.ok) state.list.push(parsed.cp);
    else state.malformed++;
  });
  return { state, splitter };
}

/** Recomputes the hash chain line by line (the first event's prevHash is taken as the anchor). */
function chainChecker(onEvent: (id: string, hash: string) => void = () => {}) {
  const state = { ok: true, checked: 0, firstBrokenId: null as string | null, reason: null as string | null };
  let prev: string | null = null;
  const fail = (id: string | null, reason: string) => {
    if (!state.ok) return;
    Object.assign(state, { ok: false, firstBrokenId: id, reason });
  };
  const splitter = new LineSplitter((line) => {
    if (!state.ok || !line.trim()) return;
    let e: Record<string, unknown>;
    try {
      e = JSON.parse(line);
    } catch {
      return fail(null, `line ${state.checked + 1} is not valid JSON`);
    }
    const id = String(e.id);
    if (typeof e.prevHash !== "string" || typeof e.hash !== "string") return fail(id, "an event lacks prevHash/hash");
    if (prev !== null && e.prevHash !== prev) return fail(id, "previous hash does not match (an event before it was removed or altered)");
    const expected = chainHash(e.prevHash, {
      id,
      createdAt: new Date(String(e.createdAt)),
      actorType: e.actorType as string,
      actorId: (e.actorId ?? null) as string | null,
      actorLabel: e.actorLabel as string,
      role: (e.role ?? null) as string | null,
      action: e.action as string,
      outcome: e.outcome as string,
      targetType: (e.targetType ?? null) as string | null,
      targetId: (e.targetId ?? null) as string | null,
      before: e.before ?? null,
      after: e.after ?? null,
      ip: (e.ip ?? null) as string | null,
      userAgent: (e.userAgent ?? null) as string | null,
    });
    if (expected !== e.hash) return fail(id, "content does not match its hash (the event was altered)");
    onEvent(id, e.hash);
    prev = e.hash;
    state.checked++;
  });
  return { state, splitter };
}

function ocsfChecker() {
  const state = { checked: 0, invalid: 0, examples: [] as string[] };
  const splitter = new LineSplitter((line) => {
    if (!line.trim()) return;
    state.checked++;
    let rec: unknown;
    try {
      rec = JSON.parse(line);
    } catch {
      state.invalid++;
      if (state.examples.length < 5) state.examples.push(`line ${state.checked}: not valid JSON`);
      return;
    }
    const v = validateOcsf(rec);
    if (!v.ok) {
      state.invalid++;
      if (state.examples.length < 5) state.examples.push(`line ${state.checked}: ${v.errors.join("; ")}`);
    }
  });
  return { state, splitter };
}

type Member = { path: string; sha256: string; bytes: number; content: Buffer | null };

/**
 * Verify a bundle (a path or a stream of the .tar.gz): Ed25519 signature over manifest.json with
 * `publicKeyPem` (or, failing that, the key inside the bundle — which proves integrity, not origin),
 * then every member's SHA-256 and size against the manifest.
 */
export async function verifyEvidenceBundle(source: string | Readable | AsyncIterable<Buffer>, opts: { publicKeyPem?: string | null } = {}): Promise<VerifyReport> {
  const report: VerifyReport = {
    ok: false,
    signature: "bad",
    signatureDetail: "",
    keySource: "none",
    keyId: null,
    manifestKeyId: null,
    manifest: null,
    files: [],
    chain: null,
    checkpoints: null,
    ocsf: null,
    warnings: [],
    errors: [],
  };
  const members: Member[] = [];
  const checkpoints = checkpointCollector();
  // Event id → its hash, for the events a checkpoint names (read before the events in Warden's bundles).
  const wanted = new Map<string, string | null>();
  let sawEvents = false;
  let sawCheckpoints = false;
  let checkpointsBeforeEvents = false;
  const chain = chainChecker((id, hash) => {
    if (wanted.has(id)) wanted.set(id, hash);
  });
  const ocsf = ocsfChecker();
  let sawChain = false;
  let sawOcsf = false;

  const input = typeof source === "string" ? createReadStream(source) : source instanceof Readable ? source : Readable.from(source);
  const gunzip = createGunzip();
  const unzipped = input.pipe(gunzip);
  input.on("error", (err: Error) => gunzip.destroy(err));
  try {
    let hash = createHash("sha256");
    let bytes = 0;
    let small: Buffer[] | null = null;
    let lines: LineSplitter | null = null;
    await readTar(unzipped, {
      onEntry(h) {
        hash = createHash("sha256");
        bytes = 0;
        const keep = META_FILES.has(h.path) || h.path === EMBEDDED_KEY;
        small = keep && h.size <= SMALL_LIMIT ? [] : null;
        const duplicate = members.some((m) => m.path === h.path);
        lines = duplicate
          ? null
          : h.path === "audit/audit_events.jsonl"
            ? chain.splitter
            : h.path === "ocsf/events.jsonl"
              ? ocsf.splitter
              : h.path === "audit/checkpoints.jsonl"
                ? checkpoints.splitter
                : null;
        if (lines === chain.splitter) {
          sawChain = true;
          sawEvents = true;
        }
        if (lines === checkpoints.splitter) sawCheckpoints = true;
        if (lines === ocsf.splitter) sawOcsf = true;
        return (chunk) => {
          hash.update(chunk);
          bytes += chunk.length;
          small?.push(chunk);
          lines?.push(chunk);
        };
      },
      onEntryEnd(h) {
        lines?.end();
        if (lines === checkpoints.splitter && !sawEvents) {
          checkpointsBeforeEvents = true;
          for (const c of checkpoints.state.list) wanted.set(c.headId, null);
        }
        members.push({ path: h.path, sha256: hash.digest("hex"), bytes, content: small ? Buffer.concat(small) : null });
      },
    });
  } catch (err) {
    report.errors.push(`The file is not a readable .tar.gz bundle: ${(err as Error).message}`);
    report.signatureDetail = "not checked: the archive could not be read";
    return report;
  }

  const first = (p: string) => members.find((m) => m.path === p) ?? null;
  const manifestMember = first("manifest.json");
  const sigMember = first("manifest.sig");
  const embedded = first(EMBEDDED_KEY);

  // ── signature
  let keyPem = opts.publicKeyPem ?? null;
  if (keyPem) report.keySource = "provided";
  else if (embedded?.content) {
    keyPem = embedded.content.toString("utf8");
    report.keySource = "embedded";
    report.warnings.push("Checked with the public key inside the bundle: this proves the bundle is intact, not that your Warden made it. Pass --key or --url to check its origin.");
  }
  if (keyPem) {
    try {
      report.keyId = keyIdOf(keyPem);
    } catch {
      report.errors.push("The public key is not a valid PEM public key.");
      keyPem = null;
    }
  }
  if (!manifestMember?.content) report.signatureDetail = "manifest.json is missing";
  else if (!sigMember?.content) report.signatureDetail = "manifest.sig is missing";
  else if (!keyPem) report.signatureDetail = "no public key to check it with";
  else {
    try {
      const sig = Buffer.from(sigMember.content.toString("utf8").trim(), "base64");
      const good = edVerify(null, manifestMember.content, createPublicKey(keyPem), sig);
      report.signature = good ? "ok" : "bad";
      report.signatureDetail = good
        ? `valid Ed25519 signature by key ${report.keyId}`
        : "the signature does not match manifest.json under this key (the manifest was changed, or it was signed by another key)";
    } catch (err) {
      report.signatureDetail = `the signature could not be checked: ${(err as Error).message}`;
    }
  }

  // ── manifest and files
  let listed: { path: string; sha256: string; bytes: number; rows: number | null }[] = [];
  if (manifestMember?.content) {
    try {
      const m = JSON.parse(manifestMember.content.toString("utf8"));
      if (m.schema !== "warden.evidence/v1") report.warnings.push(`Unknown manifest schema ${JSON.stringify(m.schema)}.`);
      report.manifest = { exportId: String(m.exportId), createdAt: String(m.createdAt), createdBy: String(m.createdBy), window: m.window, filters: m.filters };
      report.manifestKeyId = typeof m.keyId === "string" ? m.keyId : null;
      listed = Array.isArray(m.files) ? m.files.filter((f: unknown) => f && typeof (f as { path?: unknown }).path === "string") : [];
    } catch {
      report.errors.push("manifest.json is not valid JSON.");
    }
  } else report.errors.push("manifest.json is missing from the bundle.");
  if (report.manifestKeyId && report.keyId && report.manifestKeyId !== report.keyId) report.warnings.push(`The manifest names key ${report.manifestKeyId}, but the key used is ${report.keyId}.`);

  const seen = new Set<string>();
  for (const f of listed) {
    const m = first(f.path);
    const expected = { sha256: String(f.sha256), bytes: Number(f.bytes), rows: f.rows ?? null };
    if (!m) report.files.push({ path: f.path, status: "missing", expected });
    else {
      const same = m.sha256 === expected.sha256 && m.bytes === expected.bytes;
      report.files.push({
        path: f.path,
        status: same ? "ok" : "altered",
        expected,
        actual: { sha256: m.sha256, bytes: m.bytes },
        ...(same ? {} : { detail: m.bytes !== expected.bytes ? `size ${m.bytes} bytes, manifest says ${expected.bytes}` : "SHA-256 differs from the manifest" }),
      });
    }
    seen.add(f.path);
  }
  const metaSeen = new Set<string>();
  for (const m of members) {
    if (META_FILES.has(m.path) && !metaSeen.has(m.path)) {
      metaSeen.add(m.path);
      continue;
    }
    if (seen.has(m.path) && members.find((x) => x.path === m.path) === m) continue;
    report.files.push({
      path: m.path,
      status: "extra",
      actual: { sha256: m.sha256, bytes: m.bytes },
      detail: seen.has(m.path) || metaSeen.has(m.path) ? "a second copy of a member" : "not listed in the manifest",
    });
  }

  if (sawCheckpoints) {
    const c = {
      checked: checkpoints.state.list.length + checkpoints.state.malformed,
      validSignatures: 0,
      badSignatures: 0,
      malformed: checkpoints.state.malformed,
      matched: 0,
      mismatched: [] as string[],
      outsideWindow: 0,
    };
    let key: ReturnType<typeof createPublicKey> | null = null;
    try {
      key = keyPem ? createPublicKey(keyPem) : null;
    } catch {
      key = null;
    }
    const keyId = key ? publicKeyId(key) : "";
    for (const cp of checkpoints.state.list) {
      if (key && checkpointSignatureValid(cp, key, keyId)) c.validSignatures++;
      else {
        c.badSignatures++;
        continue;
      }
      const hash = wanted.get(cp.headId);
      if (hash === undefined || hash === null) c.outsideWindow++;
      else if (hash === cp.headHash) c.matched++;
      else c.mismatched.push(cp.headId);
    }
    report.checkpoints = c;
    if (checkpoints.state.tooMany) report.warnings.push("audit/checkpoints.jsonl has more than 1,000,000 lines; the rest were not checked.");
    if (!checkpointsBeforeEvents && sawEvents) report.warnings.push("audit/checkpoints.jsonl comes after the events in the archive: checkpoints were not compared with the events.");
    if (c.badSignatures) report.warnings.push(`${c.badSignatures} checkpoint(s) in audit/checkpoints.jsonl are not signed by ${key ? `key ${keyId}` : "a usable key"}.`);
    if (c.malformed) report.warnings.push(`${c.malformed} line(s) of audit/checkpoints.jsonl are not checkpoints.`);
    if (c.mismatched.length)
      report.warnings.push(
        `The audit events ${c.mismatched.slice(0, 5).join(", ")} in the bundle do not have the hash Warden's checkpoints recorded for them: the trail was changed before the export.`,
      );
  }
  if (sawChain) report.chain = chain.state;
  if (sawOcsf) report.ocsf = ocsf.state;
  if (report.ocsf && report.ocsf.invalid > 0) report.warnings.push(`${report.ocsf.invalid} OCSF record(s) fail validation.`);
  if (report.chain && !report.chain.ok) report.warnings.push(`The audit chain in the bundle does not verify at event ${report.chain.firstBrokenId ?? "?"}: ${report.chain.reason}.`);
  report.ok = report.signature === "ok" && report.errors.length === 0 && report.files.length > 0 && report.files.every((f) => f.status === "ok");
  return report;
}

/** A plain-text report for terminals and logs. */
export function formatReport(r: VerifyReport): string {
  const lines: string[] = [];
  lines.push(r.ok ? "VERIFIED: the bundle is intact and its signature is valid." : "NOT VERIFIED: see the problems below.");
  if (r.manifest) lines.push(`Export ${r.manifest.exportId} by ${r.manifest.createdBy} at ${r.manifest.createdAt}; window ${r.manifest.window?.from} → ${r.manifest.window?.to}`);
  lines.push(`Signature: ${r.signature.toUpperCase()} — ${r.signatureDetail} (key: ${r.keySource}${r.keyId ? `, id ${r.keyId}` : ""})`);
  const counts = r.files.reduce<Record<string, number>>((acc, f) => ((acc[f.status] = (acc[f.status] ?? 0) + 1), acc), {});
  lines.push(
    `Files: ${
      Object.entries(counts)
        .map(([k, v]) => `${v} ${k}`)
        .join(", ") || "none"
    }`,
  );
  for (const f of r.files) lines.push(`  ${f.status.toUpperCase().padEnd(8)} ${f.path}${f.detail ? `  (${f.detail})` : ""}`);
  if (r.chain) lines.push(`Audit chain in bundle: ${r.chain.ok ? `intact (${r.chain.checked} events)` : `BROKEN at ${r.chain.firstBrokenId}: ${r.chain.reason}`}`);
  if (r.checkpoints)
    lines.push(
      `Audit checkpoints: ${r.checkpoints.checked} (${r.checkpoints.validSignatures} validly signed; ${r.checkpoints.matched} match their event in the bundle, ${r.checkpoints.mismatched.length} do not, ${r.checkpoints.outsideWindow} have their head outside it)`,
    );
  if (r.ocsf) lines.push(`OCSF records: ${r.ocsf.checked} checked, ${r.ocsf.invalid} invalid${r.ocsf.examples.length ? `\n    ${r.ocsf.examples.join("\n    ")}` : ""}`);
  for (const w of r.warnings) lines.push(`Warning: ${w}`);
  for (const e of r.errors) lines.push(`Error: ${e}`);
  return lines.join("\n");
}
