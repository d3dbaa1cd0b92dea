"use client";
import { useState } from "react";
import { Button } from "@/components/ui/Button";
import { useToast } from "@/components/ui/Toaster";

type Failure = {
  problem: "truncated" | "rewritten" | "badSignature" | "malformed" | "unchecked";
  source: string;
  line?: number;
  headId?: string;
  at?: string;
  firstRowConcerned?: string | null;
  missing?: number;
  detail: string;
};
type Result = {
  ok: boolean;
  checked: number;
  firstBrokenId: string | null;
  reason?: string;
  checkpoints?: {
    checked: number;
    verified: number;
    failed: Failure[];
    failedTotal: number;
    anchoredUpToId: string | null;
    anchoredAt: string | null;
    unanchoredRows: number;
    keyId: string;
    sources: { source: string; entries: number; skipped?: number; error?: string }[];
  };
};
type ApiError = { error: { message: string; fieldErrors?: Record<string, string[]> } };

const PROBLEM: Record<Failure["problem"], string> = {
  truncated: "Rows deleted",
  rewritten: "Rows rewritten",
  badSignature: "Bad signature",
  malformed: "Not a checkpoint",
  unchecked: "Not checked",
};
/** The largest checkpoint file the page sends (the API reads at most 8 MB). */
const MAX_FILE_BYTES = 8 * 1024 * 1024 - 1024;

/**
 * Verify the audit chain, against the server's checkpoint file and, optionally, checkpoints the
 * auditor kept (pasted or uploaded): each one vouches for every event up to its head.
 */
export function VerifyChain() {
  const [state, setState] = useState<"idle" | "running" | "done" | "error">("idle");
  const [result, setResult] = useState<Result | null>(null);
  const [error, setError] = useState<string[]>([]);
  const [text, setText] = useState("");
  const toast = useToast();

  async function onVerify() {
    setState("running");
    setError([]);
    try {
      const res = await fetch("/api/v1/audit/verify", {
        method: "POST",
        cache: "no-store",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ serverFile: true, ...(text.trim() ? { checkpoints: text } : {}) }),
      });
      if (!res.ok) {
        const body = (await res.json().catch(() => null)) as ApiError | null;
        setError(body ? [body.error.message, ...Object.values(body.error.fieldErrors ?? {}).flat()] : ["Verification failed to run."]);
        return setState("error");
      }
      const r = (await res.json()) as Result;
      setResult(r);
      setState("done");
      toast(r.ok ? { text: `Audit chain intact: ${r.checked.toLocaleString("en")} events checked.` } : { tone: "error", text: "Audit chain broken: see the result for the first bad event." });
    } catch {
      setError(["Verification failed to run."]);
      setState("error");
    }
  }

  async function onFile(file: File | undefined) {
    if (!file) return;
    if (file.size > MAX_FILE_BYTES) {
      setError(["That file is larger than 8 MB. Keep its newest lines: each checkpoint vouches for every event before it."]);
      return setState("error");
    }
    setText(await file.text());
  }

  const cps = result?.checkpoints;
  return (
    <section aria-label="Chain verification" className="mb-6 rounded-xl border border-slate-200 bg-white p-4 shadow-sm dark:border-slate-800 dark:bg-slate-900">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <p className="max-w-2xl text-sm text-slate-600 dark:text-slate-400">
          Recomputes every hash, and checks the chain against Warden&apos;s signed checkpoints (the server&apos;s checkpoint file, plus any you paste below). Only checkpoints show deleted newest
          events or rewritten ones.
        </p>
        <Button variant="secondary" onClick={onVerify} pending={state === "running"}>
          {state === "running" ? "Verifying…" : "Verify chain"}
        </Button>
      </div>
      <details className="mt-3 text-sm">
        <summary className="cursor-pointer text-brand-600">Check against your own checkpoints</summary>
        <div className="mt-2 space-y-2">
          <label htmlFor="verify-checkpoints" className="block font-medium">
            Checkpoints (one JSON object per line, as in the checkpoint file, a webhook&apos;s <code>line</code> or an evidence bundle&apos;s <code>audit/checkpoints.jsonl</code>)
          </label>
          <textarea
            id="verify-checkpoints"
            value={text}
            onChange={(e) => setText(e.target.value)}
            rows={4}
            spellCheck={false}
            className="block w-full rounded-md border border-slate-300 bg-white px-3 py-2 font-mono text-xs dark:border-slate-700 dark:bg-slate-950"
          />
          <label className="block">
            <span className="mr-2">or upload a file:</span>
            <input type="file" accept=".jsonl,.json,.txt,application/json,text/plain" aria-label="Upload a checkpoint file" onChange={(e) => void onFile(e.target.files?.[0])} />
          </label>
        </div>
      </details>
      <div aria-live="polite" className="mt-3 space-y-1 text-sm">
        {state === "error" &&
          error.map((m) => (
            <p key={m} role="alert" className="text-red-600">
              {m}
            </p>
          ))}
        {state === "done" && result && (
          <>
            {result.ok ? (
              <p className="text-emerald-700 dark:text-emerald-400">
                Chain intact: {result.checked.toLocaleString("en")} events verified
                {cps && cps.verified > 0 ? `, ${cps.verified.toLocaleString("en")} checkpoint${cps.verified === 1 ? "" : "s"} satisfied` : ""}
              </p>
            ) : (
              <p role="alert" className="font-medium text-red-600">
                {result.firstBrokenId ? `Chain broken at event #${result.firstBrokenId}` : "Verification failed"} — {result.reason}
              </p>
            )}
            {cps && cps.checked === 0 && (
              <p className="text-amber-700 dark:text-amber-400">No checkpoints were checked: deleting the newest events, or rewriting events and recomputing every later hash, would not show here.</p>
            )}
            {cps?.anchoredUpToId && (
              <p className="text-slate-600 dark:text-slate-400">
                Anchored up to event #{cps.anchoredUpToId} (checkpoint of {new Date(cps.anchoredAt!).toLocaleString("en")}); {cps.unanchoredRows.toLocaleString("en")} newer event
                {cps.unanchoredRows === 1 ? " is" : "s are"} not yet covered by a checkpoint.
              </p>
            )}
            {cps?.sources
              .filter((s) => s.error)
              .map((s) => (
                <p key={s.source} className="text-red-600">
                  {s.source}: {s.error}
                </p>
              ))}
            {cps && cps.failed.length > 0 && (
              <ul aria-label="Checkpoint failures" className="list-disc space-y-1 pl-5">
                {cps.failed.slice(0, 20).map((f, i) => (
                  <li key={i}>
                    <span className="font-medium">{PROBLEM[f.problem]}</span>
                    {f.firstRowConcerned ? ` from event #${f.firstRowConcerned}` : ""}
                    {f.missing ? ` (${f.missing.toLocaleString("en")} missing)` : ""}: {f.detail}{" "}
                    <span className="text-xs text-slate-500">
                      ({f.source}
                      {f.line !== undefined ? `, line ${f.line}` : ""})
                    </span>
                  </li>
                ))}
                {cps.failedTotal > 20 && <li>… and {cps.failedTotal - 20} more</li>}
              </ul>
            )}
          </>
        )}
      </div>
    </section>
  );
}
