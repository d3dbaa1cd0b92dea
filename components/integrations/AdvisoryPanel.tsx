"use client";
import { useRouter } from "next/navigation";
import { Button } from "@/components/ui/Button";
import { Field } from "@/components/ui/Field";
import { useActionForm } from "@/components/ui/useActionForm";
import { ZIntegrationAdvisoryClear, ZIntegrationAdvisorySet } from "@/lib/integrations/schema";
import { Notice } from "./Notice";
import { textareaClass, type ServerAction } from "./types";

/**
 * Flag a vendor advisory or breach (with a note; the integration becomes due for re-review now),
 * or clear an open one.
 */
export function AdvisoryPanel({ id, flagged, actions }: { id: string; flagged: boolean; actions: { set: ServerAction; clear: ServerAction } }) {
  const router = useRouter();
  const { errors, notice, setNotice, pending, run } = useActionForm();

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const note = String(new FormData(form).get("note") ?? "");
    const input = { id, note };
    const schema = flagged ? ZIntegrationAdvisoryClear : ZIntegrationAdvisorySet;
    // Ask only once the input is valid; invalid input goes straight to run, which shows the field errors.
    if (flagged && schema.safeParse(input).success && !window.confirm("Clear the vendor advisory? The re-review it scheduled stays due until a review is recorded.")) return;
    if (
      !(await run(flagged ? actions.clear : actions.set, input, schema, {
        toast: { text: flagged ? "Vendor advisory cleared." : "Vendor advisory flagged: the integration is due for re-review now." },
      }))
    )
      return;
    setNotice({ tone: "ok", text: flagged ? "Advisory cleared." : "Advisory flagged: the integration is due for re-review now." });
    form.reset();
    router.refresh();
  }

  return (
    <form onSubmit={onSubmit} className="space-y-3" noValidate aria-label={flagged ? "Clear vendor advisory" : "Flag vendor advisory"}>
      <Field label={flagged ? "Why it is resolved (optional)" : "What the vendor disclosed"} htmlFor="advisory-note" errors={errors.note}>
        <textarea
          id="advisory-note"
          name="note"
          rows={2}
          aria-invalid={Boolean(errors.note)}
          className={textareaClass}
          placeholder={flagged ? "Vendor rotated all tokens; no exposure found" : "Vendor disclosed a token leak on 2026-05-17"}
        />
      </Field>
      <Button type="submit" variant={flagged ? "secondary" : "danger"} pending={pending}>
        {pending ? "Saving…" : flagged ? "Clear advisory" : "Flag advisory / breach"}
      </Button>
      <Notice notice={notice} />
    </form>
  );
}
