"use client";
import type { AgentsMdError } from "@/lib/agents-md/schema";

const lineId = (n: number) => `agents-md-line-${n}`;

/** The file's errors, each with its line, and the file itself with those lines highlighted. */
export function AgentsMdErrors({ errors, content }: { errors: AgentsMdError[]; content: string }) {
  const lines = content.split(/\r?\n/);
  const byLine = new Map<number, AgentsMdError[]>();
  for (const e of errors) byLine.set(e.line, [...(byLine.get(e.line) ?? []), e]);

  function onJump(line: number) {
    document.getElementById(lineId(line))?.scrollIntoView({ block: "center", behavior: "smooth" });
  }

  return (
    <div className="space-y-4">
      <div role="alert" className="rounded-md bg-red-50 p-3 text-sm text-red-800 dark:bg-red-950 dark:text-red-200">
        <p className="font-medium">
          {errors.length} {errors.length === 1 ? "problem" : "problems"} in this AGENTS.md. Nothing was changed.
        </p>
        <ul className="mt-2 space-y-1" data-testid="agents-md-errors">
          {errors.map((e, i) => (
            <li key={i}>
              <button type="button" className="font-mono underline decoration-dotted" onClick={() => onJump(e.line)}>
                line {e.line}
                {e.column ? `:${e.column}` : ""}
              </button>
              {e.path && <span className="ml-2 font-mono text-xs">{e.path}</span>}
              <span className="ml-2">{e.message}</span>
            </li>
          ))}
        </ul>
      </div>
      <div
        className="max-h-[32rem] overflow-auto rounded-md border border-slate-200 bg-slate-50 font-mono text-xs dark:border-slate-800 dark:bg-slate-950"
        aria-label="AGENTS.md with the lines in error highlighted"
      >
        <ol>
          {lines.map((text, i) => {
            const n = i + 1;
            const errs = byLine.get(n);
            return (
              <li key={n} id={lineId(n)} data-error={errs ? "true" : undefined} className={errs ? "bg-red-100 dark:bg-red-900/40" : undefined}>
                <div className="flex">
                  <span className="w-12 shrink-0 select-none border-r border-slate-200 pr-2 text-right text-slate-400 dark:border-slate-800">{n}</span>
                  <span className="whitespace-pre-wrap break-all pl-3">{text || " "}</span>
                </div>
                {errs?.map((e, j) => (
                  <div key={j} className="flex text-red-700 dark:text-red-300">
                    <span aria-hidden className="w-12 shrink-0 border-r border-slate-200 dark:border-slate-800" />
                    <span className="whitespace-pre-wrap pl-3">
                      {e.column ? `${" ".repeat(Math.max(0, e.column - 1))}^ ` : "↑ "}
                      {e.message}
                    </span>
                  </div>
                ))}
              </li>
            );
          })}
        </ol>
      </div>
    </div>
  );
}
