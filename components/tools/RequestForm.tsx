"use client";
import { useRef, useState } from "react";
import { useRouter } from "next/navigation";
import { Button } from "@/components/ui/Button";
import { Field, Input, Select } from "@/components/ui/Field";
import { FormError } from "@/components/ui/FormNotice";
import { useActionForm } from "@/components/ui/useActionForm";
import { TOOL_KINDS, TOOL_SOURCES, ZToolRequestCreate } from "@/lib/tools/schema";
import type { ServerAction } from "@/components/admin/types";
import { NO_PERMS, PermissionsFields, type Perms } from "./PermissionsFields";

type Opt = { id: string; name: string };

/** Values to start from (e.g. an unapproved item a gateway reported: name, kind, version, hash). */
export type RequestPrefill = { name?: string; kind?: string; version?: string; contentHash?: string };

export function RequestForm({ agents, bundles, action, initial = {} }: { agents: Opt[]; bundles: Opt[]; action: ServerAction; initial?: RequestPrefill }) {
  const router = useRouter();
  const [perms, setPerms] = useState<Perms>(NO_PERMS);
  const { errors, notice, pending, run, recheck } = useActionForm();

  function readInput(form: HTMLFormElement, p: Perms = perms) {
    const f = new FormData(form);
    return {
      tool: {
        name: String(f.get("name") ?? ""),
        kind: String(f.get("kind")),
        source: String(f.get("source")),
        publisher: String(f.get("publisher") ?? ""),
        description: String(f.get("description") ?? "") || undefined,
      },
      version: String(f.get("version") ?? ""),
      contentHash: String(f.get("contentHash") ?? ""),
      permissions: p,
      justification: String(f.get("justification") ?? ""),
      agentIds: f.getAll("agentIds").map(String),
      bundleIds: f.getAll("bundleIds").map(String),
    };
  }
  const formRef = useRef<HTMLFormElement>(null);
  function onPerms(p: Perms) {
    setPerms(p);
    if (formRef.current) recheck(readInput(formRef.current, p));
  }

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const input = readInput(e.currentTarget);
    const created = await run<{ id: string }>(action, input, ZToolRequestCreate, {
      toast: (d) => ({ text: "Tool request filed: a security lead reviews it.", href: `/tools/requests/${d.id}`, linkLabel: "Open request" }),
    });
    if (created) router.push(`/tools/requests/${created.id}`);
  }

  const err = (k: string) => errors[k];
  return (
    <form ref={formRef} onSubmit={onSubmit} onChange={(e) => recheck(readInput(e.currentTarget))} noValidate className="grid max-w-3xl gap-4" aria-label="Request a tool">
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label="Tool name" htmlFor="name" errors={err("tool.name")}>
          <Input id="name" name="name" placeholder="seo-keyword-scout" defaultValue={initial.name} />
        </Field>
        <Field label="Publisher" htmlFor="publisher" errors={err("tool.publisher")}>
          <Input id="publisher" name="publisher" placeholder="acme-labs" />
        </Field>
        <Field label="Kind" htmlFor="kind" errors={err("tool.kind")}>
          <Select id="kind" name="kind" defaultValue={initial.kind ?? "skill"}>
            {TOOL_KINDS.map((k) => (
              <option key={k} value={k}>
                {k.replace("_", " ")}
              </option>
            ))}
          </Select>
        </Field>
        <Field label="Source" htmlFor="source" errors={err("tool.source")}>
          <Select id="source" name="source" defaultValue="clawhub">
            {TOOL_SOURCES.map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </Select>
        </Field>
        <Field label="Version" htmlFor="version" errors={err("version")}>
          <Input id="version" name="version" placeholder="1.4.2" defaultValue={initial.version} />
        </Field>
        <Field label="Content hash (SHA-256)" htmlFor="contentHash" errors={err("contentHash")} hint="sha256sum of the exact package or skill archive">
          <Input id="contentHash" name="contentHash" className="font-mono text-xs" defaultValue={initial.contentHash} />
        </Field>
      </div>
      <PermissionsFields idPrefix="req" value={perms} onChange={onPerms} errors={errors} />
      <Field label="Why is it needed?" htmlFor="justification" errors={err("justification")}>
        <textarea id="justification" name="justification" rows={3} className="block w-full rounded-md border border-slate-300 bg-white p-2 text-sm dark:border-slate-700 dark:bg-slate-950" />
      </Field>
      <div className="grid gap-4 sm:grid-cols-2">
        <fieldset className="rounded-md border border-slate-200 p-3 dark:border-slate-700">
          <legend className="px-1 text-sm font-medium">For agents</legend>
          {agents.map((a) => (
            <label key={a.id} className="flex items-center gap-2 text-sm">
              <input type="checkbox" name="agentIds" value={a.id} /> {a.name}
            </label>
          ))}
          {agents.length === 0 && <p className="text-sm text-slate-500">No agents registered yet.</p>}
        </fieldset>
        <fieldset className="rounded-md border border-slate-200 p-3 dark:border-slate-700">
          <legend className="px-1 text-sm font-medium">Or add to bundles</legend>
          {bundles.map((b) => (
            <label key={b.id} className="flex items-center gap-2 text-sm">
              <input type="checkbox" name="bundleIds" value={b.id} /> {b.name}
            </label>
          ))}
          {bundles.length === 0 && <p className="text-sm text-slate-500">No capability bundles yet.</p>}
        </fieldset>
      </div>
      <FormError text={notice?.text} />
      <div>
        <Button type="submit" pending={pending}>
          {pending ? "Filing…" : "File request"}
        </Button>
      </div>
    </form>
  );
}
