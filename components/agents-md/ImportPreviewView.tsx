"use client";
import { Badge, type Tone } from "@/components/ui/Badge";
import type { Degradation, FieldDiff, ImportPreview } from "@/lib/agents-md/schema";

const TONE: Record<string, Tone> = { create: "green", set: "green", update: "amber", unchanged: "gray" };

function show(v: unknown): string {
  if (v === null || v === undefined) return "—";
  if (Array.isArray(v)) return v.length ? v.join(", ") : "(none)";
  return String(v);
}

function Changes({ changes, isNew }: { changes: FieldDiff[]; isNew: boolean }) {
  if (!changes.length) return null;
  return (
    <ul className="mt-1 space-y-0.5 text-xs">
      {changes.map((c) => (
        <li key={c.field}>
          <span className="font-mono">{c.field}</span>:{" "}
          {isNew ? (
            <span>{show(c.after)}</span>
          ) : (
            <>
              <del className="text-red-700 dark:text-red-300">{show(c.before)}</del> → <ins className="text-emerald-700 no-underline dark:text-emerald-300">{show(c.after)}</ins>
            </>
          )}
        </li>
      ))}
    </ul>
  );
}

function describe(d: Degradation | null): string {
  if (!d) return "none";
  return `${d.toolId}: ${d.primary} → ${d.fallback ?? "no fallback"}, on failure ${d.onFailure}, ${d.maxRetries} ${d.maxRetries === 1 ? "retry" : "retries"}`;
}

/** What an import would change (or changed): agent, integrations with field diffs, links, degradation. */
export function ImportPreviewView({ preview }: { preview: ImportPreview }) {
  const { agent, integrations, links, degradation, summary } = preview;
  return (
    <div className="space-y-5 text-sm" data-testid="agents-md-preview">
      <p>
        {preview.changed ? (
          <>
            {summary.created} to create, {summary.updated} to update, {summary.unchanged} unchanged; {summary.linksAdded} {summary.linksAdded === 1 ? "link" : "links"} to add;{" "}
            {summary.degradationChanged} degradation {summary.degradationChanged === 1 ? "change" : "changes"}
            {summary.agentChanged ? "; agent changes" : ""}.
          </>
        ) : (
          <>Everything is unchanged: the registry already matches this file.</>
        )}
      </p>

      <section aria-label="Agent">
        <h3 className="font-medium">Agent</h3>
        <p className="mt-1">
          <span className="font-mono">{agent.name}</span> <Badge tone={TONE[agent.action]}>{agent.action}</Badge>
        </p>
        <Changes changes={agent.changes} isNew={agent.action === "create"} />
      </section>

      <section aria-label="Integrations">
        <h3 className="font-medium">Integrations</h3>
        {integrations.length === 0 ? (
          <p className="mt-1 text-slate-500">None in the file.</p>
        ) : (
          <ul className="mt-1 divide-y divide-slate-100 dark:divide-slate-800">
            {integrations.map((i) => (
              <li key={i.name} className="py-2">
                <span className="font-mono">{i.name}</span> <Badge tone={TONE[i.action]}>{i.action}</Badge> <span className="text-xs text-slate-500">line {i.line}</span>
                <Changes changes={i.changes} isNew={i.action === "create"} />
              </li>
            ))}
          </ul>
        )}
      </section>

      <section aria-label="Links">
        <h3 className="font-medium">Links to the agent</h3>
        <p className="mt-1">
          {links.add.length ? (
            <>
              Add:{" "}
              {links.add.map((n) => (
                <span key={n} className="mr-2 font-mono">
                  {n}
                </span>
              ))}
            </>
          ) : (
            "No links to add."
          )}
        </p>
        {links.notInFile.length > 0 && <p className="mt-1 text-xs text-slate-500">Linked in Warden but not in this file (left as they are): {links.notInFile.join(", ")}</p>}
      </section>

      <section aria-label="Graceful degradation">
        <h3 className="font-medium">Graceful degradation</h3>
        {degradation.length === 0 ? (
          <p className="mt-1 text-slate-500">No tools entries in the file.</p>
        ) : (
          <ul className="mt-1 space-y-1">
            {degradation.map((d) => (
              <li key={d.integration}>
                <span className="font-mono">{d.integration}</span> <Badge tone={TONE[d.action]}>{d.action}</Badge>
                <p className="text-xs">
                  {d.action === "update" && (
                    <>
                      <del className="text-red-700 dark:text-red-300">{describe(d.before)}</del> →{" "}
                    </>
                  )}
                  {describe(d.after)}
                </p>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
