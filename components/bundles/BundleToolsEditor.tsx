"use client";
import { useId } from "react";
import { useRouter } from "next/navigation";
import { Button } from "@/components/ui/Button";
import { useActionForm } from "@/components/ui/useActionForm";
import { ZBundleSetTools } from "@/lib/tools/schema";
import type { ServerAction } from "@/components/admin/types";
import { FormStatus } from "./FormStatus";
import { ToolChecklist, toolErrorsOf, type ToolOption } from "./ToolChecklist";

/** Replace a bundle's tool set; every agent holding the bundle follows the change. */
export function BundleToolsEditor({ bundle, tools, action }: { bundle: { id: string; name: string; toolIds: string[] }; tools: ToolOption[]; action: ServerAction }) {
  const router = useRouter();
  const id = useId();
  const { errors, notice, setNotice, pending, run } = useActionForm();

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const toolIds = new FormData(e.currentTarget).getAll("toolIds").map(String);
    const saved = await run(action, { id: bundle.id, toolIds }, ZBundleSetTools, { toast: { text: `Tools of bundle ${bundle.name} saved (${toolIds.length}).` } });
    if (!saved) return;
    setNotice({ tone: "ok", text: "Tools saved." });
    router.refresh();
  }

  const other = Object.entries(errors)
    .filter(([k]) => !(k === "toolIds" || k.startsWith("toolIds.")))
    .flatMap(([, v]) => v);
  return (
    <form onSubmit={onSubmit} noValidate className="space-y-2" aria-label={`Tools of ${bundle.name}`}>
      <ToolChecklist idPrefix={id} tools={tools} selected={bundle.toolIds} legend="Edit its tools" errors={toolErrorsOf(errors)} />
      {other.map((e) => (
        <p key={e} role="alert" className="text-xs text-red-600 dark:text-red-400">
          {e}
        </p>
      ))}
      <Button type="submit" variant="secondary" pending={pending}>
        {pending ? "Saving…" : "Save"}
      </Button>
      <FormStatus notice={notice} />
    </form>
  );
}
