// Append-only JSONL spool of tool-call events. Records are appended synchronously (a decision is
// on disk before the tool runs); full segments are sealed and sent in order; a segment is deleted
// only after Warden answered 202. Survives gateway restarts and Warden outages.
import fs from "node:fs";
import path from "node:path";
import { backoffDelay } from "./backoff.js";

const MAX_PER_SEGMENT = 1000; // = Warden's batch limit, so one segment is one request

export class Spool {
  constructor(dir, { logger, send, what = "event", quiet }) {
    this.dir = dir;
    this.logger = logger;
    this.send = send; // async (events) => { accepted, duplicates, rejected }
    this.what = what; // "event" / "usage": in log lines
    this.quiet = quiet; // (err) => true: a failure the caller already reported (no warning per retry)
    this.current = path.join(dir, "current.jsonl");
    this.lines = 0;
    this.failures = 0;
    this.nextAttemptAt = 0;
    this.flushing = null;
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    // A current segment left by a previous process is sealed as it is: resume from it.
    this.seal();
  }

  append(record) {
    fs.appendFileSync(this.current, JSON.stringify(record) + "\n", { mode: 0o600 });
    if (++this.lines >= MAX_PER_SEGMENT) this.seal();
  }

  seal() {
    try {
      const st = fs.statSync(this.current);
      if (st.size === 0) return;
    } catch {
      return;
    }
    const name = `seg-${Date.now().toString().padStart(15, "0")}-${process.pid}-${Math.random().toString(36).slice(2, 8)}.jsonl`;
    fs.renameSync(this.current, path.join(this.dir, name));
    this.lines = 0;
  }

  segments() {
    return fs.readdirSync(this.dir).filter((f) => f.startsWith("seg-") && f.endsWith(".jsonl")).sort();
  }

  pending() {
    return this.segments().length + (this.lines ? 1 : 0);
  }

  /** Warden answered again (a policy fetch succeeded): push at the next flush, without waiting out the backoff. */
  resetBackoff() {
    this.failures = 0;
    this.nextAttemptAt = 0;
  }

  /** Seal what is buffered and push every sealed segment, oldest first. Backs off on failure. */
  flush({ force = false } = {}) {
    if (this.flushing) return this.flushing;
    if (!force && Date.now() < this.nextAttemptAt) return Promise.resolve();
    this.flushing = this.#flush().finally(() => (this.flushing = null));
    return this.flushing;
  }

  async #flush() {
    this.seal();
    for (const seg of this.segments()) {
      const file = path.join(this.dir, seg);
      const events = readEvents(file, this.logger);
      if (!events.length) {
        fs.rmSync(file, { force: true });
        continue;
      }
      try {
        const res = await this.send(events);
        if (res?.rejected?.length) this.logger.warn(`warden: ${res.rejected.length} ${this.what}(s) rejected by Warden and dropped: ${JSON.stringify(res.rejected.slice(0, 3))}`);
        fs.rmSync(file, { force: true }); // only after 202
        this.failures = 0;
        this.nextAttemptAt = 0;
      } catch (err) {
        if (err?.status === 400 && err?.code === "invalid") {
          // The envelope itself was refused: keep the data aside for an operator instead of retrying forever.
          fs.renameSync(file, path.join(this.dir, seg.replace(/^seg-/, "dead-")));
          this.logger.error(`warden: Warden refused a batch (${err.message}); kept as dead-${seg.slice(4)}`);
          continue;
        }
        this.failures++;
        // Bounded like every loop of the plugin (<= 10 s): telemetry resumes within seconds of Warden's return.
        const delay = backoffDelay(this.failures, { retryAfterSeconds: err?.retryAfter });
        this.nextAttemptAt = Date.now() + delay;
        if (!this.quiet?.(err)) this.logger.warn(`warden: ${this.what} push failed (${err?.message ?? err}); ${this.segments().length} segment(s) kept, retry in ${Math.round(delay / 1000)}s`);
        return;
      }
    }
  }
}

/** Read a segment; pair a decision with its result (same call) into one event when both are present. */
function readEvents(file, logger) {
  const records = [];
  for (const line of fs.readFileSync(file, "utf8").split("\n")) {
    if (!line.trim()) continue;
    try {
      records.push(JSON.parse(line));
    } catch {
      logger.warn("warden: skipped a torn spool line"); // a crash mid-append leaves at most one
    }
  }
  const byDecision = new Map();
  const out = [];
  for (const r of records) {
    const { _kind, _call, ...event } = r;
    if (_kind === "result" && _call && byDecision.has(_call)) {
      const d = byDecision.get(_call);
      for (const k of ["result", "durationMs", "error"]) if (event[k] !== undefined) d[k] = event[k];
      // Allowed here, then refused by OpenClaw before it ran (argument validation): not run.
      if (event.decision === "not_run" && d.decision === "allowed") {
        d.decision = "not_run";
        d.policyDecision = "allowed";
      }
      continue;
    }
    if (_kind === "decision" && _call) byDecision.set(_call, event);
    out.push(event);
  }
  return out;
}
