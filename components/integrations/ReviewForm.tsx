"use client";
import { useRouter } from "next/navigation";
import { Button } from "@/components/ui/Button";
import { Field, Input } from "@/components/ui/Field";
import { useActionForm } from "@/components/ui/useActionForm";
import { ZIntegrationReview } from "@/lib/integrations/schema";
import { Notice } from "./Notice";
import type { ServerAction } from "./types";

/** Record a (quarterly) review: audit date and result; the next review defaults to +90 days. */
export function ReviewForm({ id, action, advisoryOpen }: { id: string; action: ServerAction; advisoryOpen: boolean }) {
  const router = useRouter();
  const { errors, notice, setNotice, pending, run, recheck } = useActionForm();

  function readInput(form: HTMLFormElement) {
    const fd = new FormData(form);
    const s = (k: string) => String(fd.get(k) ?? "");
    return {
      id,
      auditResult: s("auditResult"),
      auditDate: s("auditDate"),
      dependencyStatus: s("dependencyStatus") || undefined,
      nextReviewAt: s("nextReviewAt"),
      clearAdvisory: fd.get("clearAdvisory") === "on",
    };
  }

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const input = readInput(form);
    const reviewed = await run<{ nextReviewAt: string | Date | null }>(action, input, ZIntegrationReview, { toast: { text: "Integration review recorded." } });
    if (!reviewed) return;
    const next = reviewed.nextReviewAt;
    setNotice({ tone: "ok", text: `Review recorded. Next review: ${next ? new Date(next).toISOString().slice(0, 10) : "—"}.` });
    form.reset();
    router.refresh();
  }

  return (
    <form onSubmit={onSubmit} onChange={(e) => recheck(readInput(e.currentTarget))} className="space-y-3" noValidate aria-label="Record a review">
      <Field label="Audit result" htmlFor="review-result" errors={errors.auditResult} hint="e.g. 3 dependencies, all current">
        <Input id="review-result" name="auditResult" aria-invalid={Boolean(errors.auditResult)} required />
      </Field>
      <Field label="Dependency status (optional)" htmlFor="review-deps" errors={errors.dependencyStatus}>
        <Input id="review-deps" name="dependencyStatus" aria-invalid={Boolean(errors.dependencyStatus)} />
      </Field>
      <div className="grid grid-cols-2 gap-3">
        <Field label="Audit date" htmlFor="review-date" errors={errors.auditDate} hint="Empty: today">
          <Input id="review-date" name="auditDate" type="date" aria-invalid={Boolean(errors.auditDate)} />
        </Field>
        <Field label="Next review" htmlFor="review-next" errors={errors.nextReviewAt} hint="Empty: +90 days">
          <Input id="review-next" name="nextReviewAt" type="date" aria-invalid={Boolean(errors.nextReviewAt)} />
        </Field>
      </div>
      {advisoryOpen && (
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" name="clearAdvisory" defaultChecked />
          This review closes the open vendor advisory
        </label>
      )}
      <Button type="submit" pending={pending}>
        {pending ? "Recording…" : "Record review"}
      </Button>
      <Notice notice={notice} />
    </form>
  );
}
