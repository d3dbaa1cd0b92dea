"use client";
import { useState } from "react";
import { useRouter } from "next/navigation";
import { Button } from "@/components/ui/Button";
import { useToast } from "@/components/ui/Toaster";
import { Field, Select } from "@/components/ui/Field";
import type { ActionResult } from "@/lib/action";
import { MAX_AGENTS_MD_CHARS, type ImportResult } from "@/lib/agents-md/schema";
import { AgentsMdErrors } from "./AgentsMdErrors";
import { ImportPreviewView } from "./ImportPreviewView";

export type ImportAction = (raw: unknown) => Promise<ActionResult<ImportResult>>;
type Outcome = { result: ImportResult; content: string; agentId: string };

/**
 * Paste or upload AGENTS.md, preview what it would change (a dry run on the server, with errors
 * by line), then apply it after a confirmation. The server decides everything; Apply is only
 * offered for the exact file and agent that were previewed.
 */
export function ImportAgentsMd({ agents, defaultAgentId, action }: { agents: { id: string; name: string }[]; defaultAgentId?: string; action: ImportAction }) {
  const router = useRouter();
  const [agentId, setAgentId] = useState(defaultAgentId ?? "");
  const [content, setContent] = useState("");
  const [fileName, setFileName] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string[]>>({});
  const [notice, setNotice] = useState<{ tone: "ok" | "error"; text: string } | null>(null);
  const [pending, setPending] = useState<"preview" | "apply" | null>(null);
  const toast = useToast();

  const previewed = outcome && outcome.content === content && outcome.agentId === agentId ? outcome.result : null;
  const canApply = previewed?.ok === true && !previewed.applied && previewed.preview.changed;

  async function onFile(e: React.ChangeEvent<HTMLInputElement>) {
    const file = e.target.files?.[0];
    if (!file) return;
    if (file.size > MAX_AGENTS_MD_CHARS * 4) return setNotice({ tone: "error", text: "That file is too large for an AGENTS.md." });
    setContent(await file.text());
    setFileName(file.name);
    setNotice(null);
  }

  async function run(dryRun: boolean) {
    setPending(dryRun ? "preview" : "apply");
    setNotice(null);
    setFieldErrors({});
    let res: Awaited<ReturnType<ImportAction>>;
    try {
      res = await action({ content, agentId, dryRun });
    } catch {
      setNotice({ tone: "error", text: "Warden could not be reached. Nothing was applied; try again." });
      return;
    } finally {
      setPending(null);
    }
    if (!res.ok) {
      setFieldErrors(res.fieldErrors ?? {});
      setNotice({ tone: "error", text: res.error });
      return;
    }
    setOutcome({ result: res.data, content, agentId });
    if (res.data.ok && res.data.applied) {
      const s = res.data.preview.summary;
      setNotice({
        tone: "ok",
        text: `Applied to ${res.data.preview.agent.name}: ${s.created} created, ${s.updated} updated, ${s.linksAdded} ${s.linksAdded === 1 ? "link" : "links"} added, ${s.degradationChanged} degradation ${s.degradationChanged === 1 ? "change" : "changes"}. The import is in the audit trail.`,
      });
      toast({ text: `AGENTS.md applied to ${res.data.preview.agent.name}: ${s.created} created, ${s.updated} updated.`, href: `/agents/${agentId}`, linkLabel: "Open agent" });
      router.refresh();
    }
  }

  function onApply() {
    if (!previewed?.ok) return;
    const s = previewed.preview.summary;
    const ok = window.confirm(
      `Apply this AGENTS.md to ${previewed.preview.agent.name}?\n\n${s.created} integrations created, ${s.updated} updated, ${s.linksAdded} links added, ${s.degradationChanged} degradation changes${s.agentChanged ? ", agent changed" : ""}.`,
    );
    if (ok) void run(false);
  }

  return (
    <div className="space-y-6">
      <form
        className="space-y-4"
        aria-label="Import AGENTS.md"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void run(true);
        }}
      >
        <Field label="Agent" htmlFor="agents-md-agent" errors={fieldErrors.agentId} hint="Or leave it to the file's agent: block (name, owner, purpose).">
          <Select id="agents-md-agent" value={agentId} onChange={(e) => setAgentId(e.target.value)} aria-invalid={Boolean(fieldErrors.agentId)}>
            <option value="">From the file&apos;s agent: block</option>
            {agents.map((a) => (
              <option key={a.id} value={a.id}>
                {a.name}
              </option>
            ))}
          </Select>
        </Field>
        <Field label="AGENTS.md file" htmlFor="agents-md-file" hint={fileName ? `Loaded ${fileName}; you can still edit it below.` : "Upload a file, or paste its text below."}>
          <input id="agents-md-file" type="file" accept=".md,.markdown,.txt,text/markdown,text/plain" onChange={onFile} className="block text-sm" />
        </Field>
        <Field label="AGENTS.md" htmlFor="agents-md-content" errors={fieldErrors.content}>
          <textarea
            id="agents-md-content"
            value={content}
            onChange={(e) => setContent(e.target.value)}
            rows={16}
            spellCheck={false}
            maxLength={MAX_AGENTS_MD_CHARS}
            aria-invalid={Boolean(fieldErrors.content)}
            placeholder={"# AGENTS.md\n\n```yaml\nintegrations:\n  - name: slack-webhook\n    …\n```"}
            className="block w-full rounded-md border border-slate-300 bg-white px-3 py-2 font-mono text-xs shadow-sm focus:border-brand-500 aria-[invalid=true]:border-red-500 dark:border-slate-700 dark:bg-slate-950"
          />
        </Field>
        <div className="flex flex-wrap gap-2">
          <Button type="submit" variant="secondary" pending={pending === "preview"} disabled={pending !== null || !content.trim()}>
            {pending === "preview" ? "Previewing…" : "Preview"}
          </Button>
          <Button onClick={onApply} pending={pending === "apply"} disabled={pending !== null || !canApply} title={canApply ? undefined : "Preview the file first; Apply needs a preview with changes."}>
            {pending === "apply" ? "Applying…" : "Apply"}
          </Button>
        </div>
      </form>

      <div aria-live="polite">
        {notice && (
          <div
            role={notice.tone === "error" ? "alert" : "status"}
            className={`rounded-md p-3 text-sm ${notice.tone === "error" ? "bg-red-50 text-red-700 dark:bg-red-950 dark:text-red-300" : "bg-emerald-50 dark:bg-emerald-950"}`}
          >
            {notice.text}
          </div>
        )}
      </div>

      {outcome && !outcome.result.ok && <AgentsMdErrors errors={outcome.result.errors} content={outcome.content} />}
      {outcome?.result.ok && (
        <section className="rounded-xl border border-slate-200 bg-white p-5 dark:border-slate-800 dark:bg-slate-900" aria-label={outcome.result.applied ? "Applied changes" : "Preview"}>
          <h2 className="mb-3 text-base font-semibold">{outcome.result.applied ? "Applied" : previewed ? "Preview" : "Preview (the file or agent changed since; preview again)"}</h2>
          <ImportPreviewView preview={outcome.result.preview} />
        </section>
      )}
    </div>
  );
}
