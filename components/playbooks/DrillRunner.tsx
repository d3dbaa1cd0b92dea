"use client";
import { useCallback, useEffect, useState } from "react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { Button } from "@/components/ui/Button";
import { useToast } from "@/components/ui/Toaster";
import { Badge, type Tone } from "@/components/ui/Badge";
import { FormError } from "@/components/ui/FormNotice";
import { ACTION_LABELS, PHASE_LABELS, PLAYBOOK_PHASES, type DrillOutcome } from "@/lib/playbooks/schema";
import { fmtClock, fmtDuration, timeToContainMs } from "@/lib/playbooks/drill";
import { textareaClass, type DrillStep, type ServerAction } from "./types";

type Result = { stepId: string; startedAt: number; finishedAt: number; outcome: DrillOutcome; note: string };
type Stage = "ready" | "running" | "review" | "saved";

const OUTCOME: Record<DrillOutcome, [string, Tone]> = { done: ["done", "green"], skipped: ["skipped", "gray"], failed: ["failed", "red"] };
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The interactive drill: start the clock, walk the steps in run order marking each done, skipped or
 * failed (with a note), then save. Timestamps are taken here, corrected to the server's clock, and
 * checked again by the server. Nothing runs: no gateway, agent or integration is touched. Abort
 * saves nothing. Keys while running: D done, S skip, F failed (not while typing a note).
 */
export function DrillRunner({ playbookId, steps, serverNow, action }: { playbookId: string; steps: DrillStep[]; serverNow: number; action: ServerAction }) {
  const router = useRouter();
  // The page was rendered with the server's time: stamp the drill on the server's clock, not this machine's.
  const [offset] = useState(() => serverNow - Date.now());
  const clock = useCallback(() => Date.now() + offset, [offset]);

  const [stage, setStage] = useState<Stage>("ready");
  const [startedAt, setStartedAt] = useState(0);
  const [finishedAt, setFinishedAt] = useState(0);
  const [stepStart, setStepStart] = useState(0);
  const [now, setNow] = useState(serverNow);
  const [results, setResults] = useState<Result[]>([]);
  const [note, setNote] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [problems, setProblems] = useState<string[]>([]);
  const [pending, setPending] = useState(false);
  const toast = useToast();
  const [saved, setSaved] = useState<{ id: string; timeToContainMs: number | null } | null>(null);

  const current = stage === "running" ? results.length : -1;
  const phaseOf = new Map(steps.map((s) => [s.id, s.phase]));
  const ttc =
    stage === "ready"
      ? null
      : timeToContainMs(
          new Date(startedAt),
          results.map((r) => ({ ...r, phase: phaseOf.get(r.stepId)!, finishedAt: new Date(r.finishedAt) })),
        );
  const elapsed = stage === "ready" ? 0 : (stage === "running" ? now : finishedAt) - startedAt;
  const hasContainment = steps.some((s) => s.phase === "containment");

  useEffect(() => {
    if (stage !== "running") return;
    const t = setInterval(() => setNow(clock()), 250);
    return () => clearInterval(t);
  }, [stage, clock]);

  // Keep focus on the action at hand: the current step's "Done", or "Save" once the drill is over.
  useEffect(() => {
    if (stage === "running") document.getElementById("drill-done")?.focus();
    if (stage === "review") document.getElementById("drill-save")?.focus();
  }, [stage, results.length]);

  // Leaving mid-drill loses it: ask first.
  useEffect(() => {
    if (stage !== "running" && stage !== "review") return;
    const onBeforeUnload = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener("beforeunload", onBeforeUnload);
    return () => window.removeEventListener("beforeunload", onBeforeUnload);
  }, [stage]);

  function start() {
    const t = clock();
    setStartedAt(t);
    setStepStart(t);
    setNow(t);
    setResults([]);
    setStage("running");
  }

  const record = useCallback(
    (outcome: DrillOutcome) => {
      if (stage !== "running") return;
      const step = steps[results.length];
      if (!step) return;
      const t = Math.max(clock(), stepStart);
      const next = [...results, { stepId: step.id, startedAt: stepStart, finishedAt: t, outcome, note: note.trim() }];
      setResults(next);
      setNote("");
      setStepStart(t);
      setNow(t);
      if (next.length === steps.length) {
        setFinishedAt(t);
        setStage("review");
      }
    },
    [stage, steps, results, clock, stepStart, note],
  );

  useEffect(() => {
    if (stage !== "running") return;
    const onKey = (e: KeyboardEvent) => {
      if (e.metaKey || e.ctrlKey || e.altKey || e.repeat) return;
      if ((e.target as HTMLElement | null)?.closest?.("textarea, input, select, [contenteditable]")) return;
      const outcome = ({ d: "done", s: "skipped", f: "failed" } as const)[e.key.toLowerCase() as "d" | "s" | "f"];
      if (outcome) {
        e.preventDefault();
        record(outcome);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [stage, record]);

  function finishNow() {
    if (results.length < steps.length && !window.confirm(`Finish the drill now? ${steps.length - results.length} step(s) will not be recorded.`)) return;
    const t = clock();
    setFinishedAt(Math.max(t, stepStart));
    setStage("review");
  }

  function resume() {
    setStage("running");
    setNow(clock());
  }

  function abort() {
    if (stage !== "ready" && !window.confirm("Abort the drill? Nothing is saved.")) return;
    setStage("ready");
    router.push(`/playbooks/${playbookId}`);
  }

  async function save() {
    setPending(true);
    setError(null);
    setProblems([]);
    try {
      const res = await action({
        id: playbookId,
        startedAt: iso(startedAt),
        finishedAt: iso(finishedAt),
        stepResults: results.map((r) => ({ stepId: r.stepId, startedAt: iso(r.startedAt), finishedAt: iso(r.finishedAt), outcome: r.outcome, note: r.note })),
      });
      if (!res.ok) {
        setError(res.error);
        setProblems(Object.entries(res.fieldErrors ?? {}).map(([k, v]) => `${k}: ${v.join(" ")}`));
        return;
      }
      const data = res.data as { id: string; timeToContainMs: number | null };
      setSaved({ id: data.id, timeToContainMs: data.timeToContainMs });
      toast({ text: "Drill saved to the playbook's history.", href: `/playbooks/${playbookId}`, linkLabel: "Open playbook" });
      setStage("saved");
      router.refresh();
    } catch {
      setError("Warden could not be reached. Your drill is still here: try Save again.");
    } finally {
      setPending(false);
    }
  }

  const counts = { done: 0, skipped: 0, failed: 0 } as Record<DrillOutcome, number>;
  for (const r of results) counts[r.outcome]++;

  if (stage === "saved" && saved) {
    return (
      <div className="space-y-4 rounded-xl border border-emerald-300 bg-emerald-50 p-6 dark:border-emerald-900 dark:bg-emerald-950" role="status">
        <p className="text-lg font-semibold">Drill saved.</p>
        <dl className="grid gap-4 text-sm sm:grid-cols-3">
          <div>
            <dt className="text-xs uppercase text-slate-500">Duration</dt>
            <dd className="text-2xl font-semibold tabular-nums">{fmtClock(finishedAt - startedAt)}</dd>
          </div>
          <div>
            <dt className="text-xs uppercase text-slate-500">Time to contain</dt>
            <dd className="text-2xl font-semibold tabular-nums">{fmtDuration(saved.timeToContainMs)}</dd>
          </div>
          <div>
            <dt className="text-xs uppercase text-slate-500">Steps</dt>
            <dd>
              {counts.done} done · {counts.skipped} skipped · {counts.failed} failed
            </dd>
          </div>
        </dl>
        <div className="flex gap-3">
          <Link href={`/playbooks/${playbookId}`} className="inline-flex items-center rounded-md bg-brand-600 px-3 py-2 text-sm font-medium text-white hover:bg-brand-700">
            Back to the playbook
          </Link>
          <Button
            variant="secondary"
            onClick={() => {
              setSaved(null);
              setStage("ready");
              setResults([]);
            }}
          >
            Run another drill
          </Button>
        </div>
      </div>
    );
  }

  return (
    <div className="space-y-6">
      <div className="sticky top-0 z-10 flex flex-wrap items-center gap-6 rounded-xl border border-slate-200 bg-white/95 p-4 shadow-sm backdrop-blur dark:border-slate-800 dark:bg-slate-900/95">
        <div>
          <p className="text-xs font-medium uppercase tracking-wide text-slate-500">Elapsed</p>
          <p role="timer" aria-label={`Elapsed ${fmtClock(elapsed)}`} className="font-mono text-5xl font-bold tabular-nums">
            {fmtClock(elapsed)}
          </p>
        </div>
        <div>
          <p className="text-xs font-medium uppercase tracking-wide text-slate-500">Time to contain</p>
          <p className="font-mono text-2xl font-semibold tabular-nums">{ttc === null ? (hasContainment ? "not yet" : "no containment steps") : fmtClock(ttc)}</p>
        </div>
        <div>
          <p className="text-xs font-medium uppercase tracking-wide text-slate-500">Progress</p>
          <p className="text-lg font-semibold">
            {results.length} / {steps.length} steps
          </p>
        </div>
        <div className="ml-auto flex flex-wrap gap-2">
          {stage === "ready" && (
            <Button onClick={start} className="px-6 py-3 text-base" autoFocus>
              Start drill
            </Button>
          )}
          {stage === "running" && (
            <Button variant="secondary" onClick={finishNow}>
              Finish now
            </Button>
          )}
          {stage === "review" && results.length < steps.length && (
            <Button variant="secondary" onClick={resume}>
              Resume
            </Button>
          )}
          <Button variant="ghost" onClick={abort}>
            {stage === "ready" ? "Cancel" : "Abort (save nothing)"}
          </Button>
        </div>
      </div>

      {stage === "ready" && (
        <p className="rounded-md bg-slate-50 p-3 text-sm text-slate-700 dark:bg-slate-800/50 dark:text-slate-300">
          A drill rehearses the plan: it sends nothing to any gateway, contains nothing and opens no incident. Start the clock, then walk each step as you would in an incident. Keys while the drill
          runs: <kbd className="rounded border px-1">D</kbd> done, <kbd className="rounded border px-1">S</kbd> skip, <kbd className="rounded border px-1">F</kbd> failed.
        </p>
      )}

      {PLAYBOOK_PHASES.filter((ph) => steps.some((s) => s.phase === ph)).map((phase) => (
        <section key={phase} aria-labelledby={`drill-phase-${phase}`}>
          <h2 id={`drill-phase-${phase}`} className="mb-2 text-sm font-semibold uppercase tracking-wide text-slate-500">
            {PHASE_LABELS[phase]}
          </h2>
          <ol className="space-y-2">
            {steps
              .map((s, i) => ({ s, i }))
              .filter(({ s }) => s.phase === phase)
              .map(({ s, i }) => {
                const r = results[i];
                const isCurrent = i === current;
                return (
                  <li
                    key={s.id}
                    aria-current={isCurrent ? "step" : undefined}
                    className={`rounded-lg border p-3 ${isCurrent ? "border-brand-500 bg-brand-50 ring-2 ring-brand-500 dark:bg-brand-700/20" : r ? "border-slate-200 bg-slate-50 opacity-80 dark:border-slate-800 dark:bg-slate-800/40" : "border-slate-200 dark:border-slate-800"}`}
                  >
                    <div className="flex flex-wrap items-center gap-2">
                      <span className="w-6 text-right font-mono text-sm text-slate-500">{i + 1}.</span>
                      <span className={isCurrent ? "text-lg font-semibold" : "font-medium"}>{s.title}</span>
                      {s.action && (
                        <Badge tone="blue">
                          automated when fired: {ACTION_LABELS[s.action.type].toLowerCase()} {s.action.target}
                        </Badge>
                      )}
                      {r && <Badge tone={OUTCOME[r.outcome][1]}>{OUTCOME[r.outcome][0]}</Badge>}
                      {r && <span className="text-xs tabular-nums text-slate-500">{fmtDuration(r.finishedAt - r.startedAt)}</span>}
                    </div>
                    {r?.note && <p className="ml-8 mt-1 text-sm text-slate-600 dark:text-slate-400">Note: {r.note}</p>}
                    {isCurrent && (
                      <div className="ml-8 mt-3 space-y-3">
                        {s.detail && <p className="text-sm text-slate-700 dark:text-slate-300">{s.detail}</p>}
                        {s.action && (
                          <p className="text-xs text-slate-500">In a real incident Warden runs this action itself; in a drill it is not run — check you know what it does and how to undo it.</p>
                        )}
                        <label className="block text-sm">
                          <span className="mb-1 block font-medium">Note (optional)</span>
                          <textarea
                            className={textareaClass}
                            rows={2}
                            value={note}
                            maxLength={2000}
                            onChange={(e) => setNote(e.target.value)}
                            placeholder="What happened, what was missing, who was reached"
                          />
                        </label>
                        <div className="flex flex-wrap gap-2">
                          <Button id="drill-done" onClick={() => record("done")} className="min-w-28 px-5 py-3 text-base" aria-keyshortcuts="D">
                            Done <kbd className="text-xs opacity-70">D</kbd>
                          </Button>
                          <Button variant="secondary" onClick={() => record("skipped")} className="min-w-28 px-5 py-3 text-base" aria-keyshortcuts="S">
                            Skip <kbd className="text-xs opacity-70">S</kbd>
                          </Button>
                          <Button variant="danger" onClick={() => record("failed")} className="min-w-28 px-5 py-3 text-base" aria-keyshortcuts="F">
                            Failed <kbd className="text-xs opacity-70">F</kbd>
                          </Button>
                        </div>
                      </div>
                    )}
                  </li>
                );
              })}
          </ol>
        </section>
      ))}

      {stage === "review" && (
        <div className="space-y-3 rounded-xl border border-slate-200 p-4 dark:border-slate-800" role="region" aria-label="Save the drill">
          <p className="text-sm">
            Drill over after <strong className="tabular-nums">{fmtClock(finishedAt - startedAt)}</strong>: {counts.done} done, {counts.skipped} skipped, {counts.failed} failed
            {results.length < steps.length && `, ${steps.length - results.length} not recorded`}. Time to contain: <strong>{fmtDuration(ttc)}</strong>.
          </p>
          {results.length === 0 && <p className="text-sm text-amber-700 dark:text-amber-300">Record at least one step before saving (Resume), or abort.</p>}
          <FormError text={error} />
          {problems.length > 0 && (
            <ul className="list-disc pl-5 text-sm text-red-600">
              {problems.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          )}
          <Button id="drill-save" onClick={save} pending={pending} disabled={results.length === 0} className="px-6 py-3 text-base">
            {pending ? "Saving…" : "Save drill"}
          </Button>
        </div>
      )}
    </div>
  );
}
