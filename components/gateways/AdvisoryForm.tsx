"use client";
import { useRouter } from "next/navigation";
import { Button } from "@/components/ui/Button";
import { Field, Input, Select } from "@/components/ui/Field";
import { FormError } from "@/components/ui/FormNotice";
import { useActionForm } from "@/components/ui/useActionForm";
import { ADVISORY_SEVERITIES, ZAdvisoryCreate } from "@/lib/advisories/schema";
import type { ServerAction } from "@/components/admin/types";

/** Record an advisory: the affected OpenClaw versions as a semver range, its severity and a link. */
export function AdvisoryForm({ action }: { action: ServerAction }) {
  const router = useRouter();
  const { errors, notice, pending, run } = useActionForm();
  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    const input = {
      product: String(f.get("product") ?? ""),
      versionRange: String(f.get("versionRange") ?? ""),
      severity: String(f.get("severity") ?? ""),
      title: String(f.get("title") ?? ""),
      url: String(f.get("url") ?? ""),
      note: String(f.get("note") ?? ""),
    };
    const saved = await run<{ id: string }>(action, input, ZAdvisoryCreate, { toast: { text: "Advisory added; matching gateways get findings.", href: "/findings", linkLabel: "Open findings" } });
    if (!saved) return;
    form.reset();
    router.refresh();
  }
  const err = (k: string) => errors[k];
  return (
    <form onSubmit={onSubmit} noValidate className="grid max-w-3xl gap-4" aria-label="Record an advisory">
      <div className="grid gap-4 sm:grid-cols-3">
        <Field label="Product" htmlFor="adv-product" errors={err("product")}>
          <Select id="adv-product" name="product" defaultValue="openclaw">
            <option value="openclaw">openclaw</option>
          </Select>
        </Field>
        <Field label="Affected versions" htmlFor="adv-range" errors={err("versionRange")} hint="A semver range, e.g. >=2026.9.0 <2026.9.7">
          <Input id="adv-range" name="versionRange" className="font-mono text-xs" />
        </Field>
        <Field label="Severity" htmlFor="adv-severity" errors={err("severity")}>
          <Select id="adv-severity" name="severity" defaultValue="high">
            {ADVISORY_SEVERITIES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </Select>
        </Field>
      </div>
      <Field label="Title" htmlFor="adv-title" errors={err("title")}>
        <Input id="adv-title" name="title" placeholder="Remote code execution through the browser tool" />
      </Field>
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label="Link" htmlFor="adv-url" errors={err("url")} hint="The vendor's advisory (http or https)">
          <Input id="adv-url" name="url" type="url" />
        </Field>
        <Field label="Note" htmlFor="adv-note" errors={err("note")}>
          <Input id="adv-note" name="note" placeholder="Upgrade to 2026.9.7 or later" />
        </Field>
      </div>
      <FormError text={notice?.tone === "error" ? notice.text : null} />
      <div>
        <Button type="submit" pending={pending}>
          {pending ? "Saving…" : "Record advisory"}
        </Button>
      </div>
    </form>
  );
}

/** Delete an advisory (its open findings are resolved), confirmed in place. */
export function DeleteAdvisory({ id, title, action }: { id: string; title: string; action: ServerAction }) {
  const router = useRouter();
  const { notice, pending, run } = useActionForm();
  async function onClick() {
    if (!window.confirm(`Delete the advisory "${title}"? Its open findings are resolved.`)) return;
    const done = await run(action, { id }, undefined, { toast: { text: `Advisory "${title}" deleted.` }, errorToast: true });
    if (done !== undefined && done !== null) router.refresh();
  }
  return (
    <span>
      <Button variant="danger" pending={pending} onClick={onClick} aria-label={`Delete advisory ${title}`}>
        Delete
      </Button>
      <FormError text={notice?.tone === "error" ? notice.text : null} />
    </span>
  );
}
