"use client";
import { useState } from "react";
import { useRouter } from "next/navigation";
import { Button } from "@/components/ui/Button";
import { Field } from "@/components/ui/Field";
import { useActionForm } from "@/components/ui/useActionForm";
import { Notice } from "@/components/integrations/Notice";
import { textareaClass, type ServerAction } from "@/components/integrations/types";
import { NOTE_MAX, ZIncidentNote } from "@/lib/incidents/schema";

/** Add a note to the incident timeline (signed with the current user). */
export function NoteForm({ id, action }: { id: string; action: ServerAction }) {
  const router = useRouter();
  const { errors, notice, setNotice, pending, run } = useActionForm();
  const [text, setText] = useState("");

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const saved = await run(action, { id, text }, ZIncidentNote, { toast: { text: "Note added to the timeline." } });
    if (!saved) return;
    setText("");
    setNotice({ tone: "ok", text: "Note added." });
    router.refresh();
  }

  return (
    <form onSubmit={onSubmit} className="space-y-2" noValidate aria-label="Add a note">
      <Field label="Note" htmlFor="incident-note" errors={errors.text} hint={`${text.length} / ${NOTE_MAX} characters`}>
        <textarea
          id="incident-note"
          rows={3}
          value={text}
          onChange={(e) => setText(e.target.value)}
          maxLength={NOTE_MAX}
          aria-invalid={Boolean(errors.text)}
          className={textareaClass}
          placeholder="What was checked, decided or learned"
        />
      </Field>
      <div className="flex items-center gap-3">
        <Button type="submit" pending={pending} disabled={text.trim().length === 0}>
          {pending ? "Adding…" : "Add note"}
        </Button>
        <Notice notice={notice} />
      </div>
    </form>
  );
}
