"use client";
import { useState } from "react";
import { useRouter } from "next/navigation";
import { Button } from "@/components/ui/Button";
import { Field } from "@/components/ui/Field";
import { useActionForm } from "@/components/ui/useActionForm";
import { Notice } from "@/components/integrations/Notice";
import { textareaClass, type ServerAction } from "@/components/integrations/types";
import { POST_MORTEM_MAX, ZIncidentPostMortem } from "@/lib/incidents/schema";

const TEMPLATE = "## Summary\n\n## Timeline\n\n## Root cause\n\n## What went well\n\n## What to change\n- [ ] \n";

/** The post-mortem, shown preformatted; people who manage incidents can edit it in place. */
export function PostMortem({ id, text, action }: { id: string; text: string | null; action?: ServerAction }) {
  const router = useRouter();
  const { errors, notice, setNotice, pending, run } = useActionForm();
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(text ?? "");

  async function onSave(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    if (!action) return;
    if (draft.trim() === "" && text && !window.confirm("Clear the post-mortem?")) return;
    const saved = await run(action, { id, postMortem: draft }, ZIncidentPostMortem, { toast: { text: draft.trim() ? "Post-mortem saved." : "Post-mortem cleared." } });
    if (!saved) return;
    setEditing(false);
    setNotice({ tone: "ok", text: "Post-mortem saved." });
    router.refresh();
  }

  if (!editing) {
    return (
      <div className="space-y-3">
        {text ? (
          <pre className="max-h-[32rem] overflow-auto whitespace-pre-wrap break-words rounded-md bg-slate-50 p-3 font-sans text-sm dark:bg-slate-800">{text}</pre>
        ) : (
          <p className="text-sm text-slate-500">No post-mortem yet.</p>
        )}
        {action && (
          <Button
            variant="secondary"
            onClick={() => {
              setDraft(text ?? TEMPLATE);
              setEditing(true);
            }}
          >
            {text ? "Edit post-mortem" : "Write post-mortem"}
          </Button>
        )}
        <Notice notice={notice} />
      </div>
    );
  }
  return (
    <form onSubmit={onSave} className="space-y-2" noValidate aria-label="Edit the post-mortem">
      <Field label="Post-mortem (plain text, shown as written)" htmlFor="incident-pm" errors={errors.postMortem} hint={`${draft.length} / ${POST_MORTEM_MAX} characters`}>
        <textarea
          id="incident-pm"
          rows={16}
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
          maxLength={POST_MORTEM_MAX}
          aria-invalid={Boolean(errors.postMortem)}
          className={`${textareaClass} font-mono`}
        />
      </Field>
      <div className="flex items-center gap-2">
        <Button type="submit" pending={pending}>
          {pending ? "Saving…" : "Save post-mortem"}
        </Button>
        <Button variant="ghost" onClick={() => setEditing(false)}>
          Cancel
        </Button>
        <Notice notice={notice} />
      </div>
    </form>
  );
}
