"use client";
import { useRouter } from "next/navigation";
import { Button } from "@/components/ui/Button";
import { Field, Input, Select } from "@/components/ui/Field";
import { FormError } from "@/components/ui/FormNotice";
import { useActionForm } from "@/components/ui/useActionForm";
import { ZAgentCreate, ZAgentUpdate } from "@/lib/agents/schema";
import type { ServerAction } from "@/components/admin/types";

export type AgentFormValues = {
  name: string;
  owner: string;
  teamId: string;
  purpose: string;
  gatewayId: string;
  scope: "internal" | "external";
  status?: string;
  /** The agent's id on its gateway (create only; defaults to the name). */
  externalId?: string;
  channels: string[];
  model: string;
  fallbackModels: string[];
  credentialRefs: string[];
  posture: { fsWorkspaceOnly: boolean; execMode: string; canDelegate: boolean; dmPolicy: string; groupPolicy: string; sandbox?: string };
};

export const EMPTY_AGENT: AgentFormValues = {
  name: "",
  owner: "",
  teamId: "",
  purpose: "",
  gatewayId: "",
  scope: "internal",
  channels: [],
  model: "",
  fallbackModels: [],
  credentialRefs: [],
  posture: { fsWorkspaceOnly: true, execMode: "deny", canDelegate: false, dmPolicy: "pairing", groupPolicy: "allowlist" },
};

const list = (v: FormDataEntryValue | null) =>
  String(v ?? "")
    .split(/[\n,]+/)
    .map((s) => s.trim())
    .filter(Boolean);

/** Register an agent or edit one; posture choices are the ones the risk flags read. */
export function AgentForm({
  mode,
  id,
  initial = EMPTY_AGENT,
  gateways,
  teams = [],
  action,
}: {
  mode: "create" | "edit";
  id?: string;
  initial?: AgentFormValues;
  gateways: { id: string; name: string }[];
  /** The teams the user may choose (a team-scoped user: only their own). */
  teams?: { id: string; name: string }[];
  action: ServerAction;
}) {
  const router = useRouter();
  const { errors, notice, pending, run } = useActionForm();

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const input = {
      ...(mode === "edit" ? { id, status: String(f.get("status")) } : {}),
      name: String(f.get("name") ?? ""),
      owner: String(f.get("owner") ?? ""),
      // Editing: "" clears the team; creating: "" leaves the default (none, or the user's own team).
      teamId: String(f.get("teamId") ?? "") || (mode === "edit" ? null : undefined),
      purpose: String(f.get("purpose") ?? ""),
      gatewayId: String(f.get("gatewayId") ?? "") || null,
      ...(mode === "create" && String(f.get("externalId") ?? "").trim() ? { externalId: String(f.get("externalId")).trim() } : {}),
      scope: String(f.get("scope")),
      channels: list(f.get("channels")),
      model: String(f.get("model") ?? "") || undefined,
      fallbackModels: list(f.get("fallbackModels")),
      credentialRefs: list(f.get("credentialRefs")),
      posture: {
        fsWorkspaceOnly: f.has("fsWorkspaceOnly"),
        execMode: String(f.get("execMode")),
        canDelegate: f.has("canDelegate"),
        dmPolicy: String(f.get("dmPolicy")),
        groupPolicy: String(f.get("groupPolicy")),
        ...(String(f.get("sandbox") ?? "").trim() ? { sandbox: String(f.get("sandbox")).trim() } : {}),
      },
    };
    const saved = await run<{ id: string }>(action, input, mode === "create" ? ZAgentCreate : ZAgentUpdate, {
      toast: (d) => (mode === "create" ? { text: "Agent created.", href: `/agents/${d.id}`, linkLabel: "Open agent" } : { text: "Agent saved." }),
    });
    if (!saved) return;
    if (mode === "create") router.push(`/agents/${saved.id}`);
    else router.refresh();
  }

  const err = (k: string) => errors[k];
  const p = initial.posture;
  return (
    <form onSubmit={onSubmit} noValidate className="grid max-w-3xl gap-4" aria-label={mode === "create" ? "Register an agent" : "Edit agent"}>
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label="Name" htmlFor="agent-name" errors={err("name")} hint="As on the gateway, e.g. seo-research">
          <Input id="agent-name" name="name" defaultValue={initial.name} />
        </Field>
        <Field label="Owner" htmlFor="agent-owner" errors={err("owner")}>
          <Input id="agent-owner" name="owner" defaultValue={initial.owner} placeholder="Person or team accountable" />
        </Field>
        <Field label="Team" htmlFor="agent-team" errors={err("teamId")} hint="Admins create teams under Teams">
          <Select id="agent-team" name="teamId" defaultValue={initial.teamId}>
            {(teams.length !== 1 || !initial.teamId) && <option value="">none</option>}
            {teams.map((t) => (
              <option key={t.id} value={t.id}>
                {t.name}
              </option>
            ))}
          </Select>
        </Field>
        <Field label="Gateway" htmlFor="agent-gateway" errors={err("gatewayId")}>
          <Select id="agent-gateway" name="gatewayId" defaultValue={initial.gatewayId}>
            <option value="">none</option>
            {gateways.map((g) => (
              <option key={g.id} value={g.id}>
                {g.name}
              </option>
            ))}
          </Select>
        </Field>
        {mode === "create" && (
          <Field label="ID on the gateway" htmlFor="agent-external" errors={err("externalId")} hint="The gateway's agent id (OpenClaw agents.list); empty: the name">
            <Input id="agent-external" name="externalId" defaultValue={initial.externalId ?? ""} />
          </Field>
        )}
      </div>
      <Field label="Purpose" htmlFor="agent-purpose" errors={err("purpose")}>
        <Input id="agent-purpose" name="purpose" defaultValue={initial.purpose} />
      </Field>
      <div className="grid gap-4 sm:grid-cols-3">
        <Field label="Scope" htmlFor="agent-scope" errors={err("scope")}>
          <Select id="agent-scope" name="scope" defaultValue={initial.scope}>
            <option value="internal">internal</option>
            <option value="external">external-facing (e.g. public chat)</option>
          </Select>
        </Field>
        {mode === "edit" && (
          <Field label="Status" htmlFor="agent-status" errors={err("status")}>
            <Select id="agent-status" name="status" defaultValue={initial.status}>
              <option value="active">active</option>
              <option value="suspended">suspended</option>
              <option value="quarantined">quarantined</option>
            </Select>
          </Field>
        )}
        <Field label="Channels" htmlFor="agent-channels" errors={err("channels")} hint="Comma-separated">
          <Input id="agent-channels" name="channels" defaultValue={initial.channels.join(", ")} />
        </Field>
      </div>
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label="Model" htmlFor="agent-model" errors={err("model")}>
          <Input id="agent-model" name="model" defaultValue={initial.model} placeholder="anthropic/claude-sonnet-4-5" />
        </Field>
        <Field label="Fallback models" htmlFor="agent-fallbacks" errors={err("fallbackModels")} hint="In order, comma-separated">
          <Input id="agent-fallbacks" name="fallbackModels" defaultValue={initial.fallbackModels.join(", ")} />
        </Field>
      </div>
      <Field
        label="Credential references"
        htmlFor="agent-creds"
        errors={Object.entries(errors)
          .filter(([k]) => k.startsWith("credentialRefs"))
          .flatMap(([, v]) => v)}
        hint="Names of secrets only (e.g. SENDGRID_API_KEY), never their values"
      >
        <Input id="agent-creds" name="credentialRefs" defaultValue={initial.credentialRefs.join(", ")} className="font-mono text-xs" />
      </Field>
      <fieldset className="grid gap-3 rounded-md border border-slate-200 p-3 sm:grid-cols-2 dark:border-slate-700">
        <legend className="px-1 text-sm font-medium">Posture</legend>
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" name="fsWorkspaceOnly" defaultChecked={p.fsWorkspaceOnly} /> Filesystem limited to the workspace
        </label>
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" name="canDelegate" defaultChecked={p.canDelegate} /> May delegate to / spawn other agents
        </label>
        <Field label="Exec mode" htmlFor="agent-exec">
          <Select id="agent-exec" name="execMode" defaultValue={p.execMode}>
            <option value="deny">deny</option>
            <option value="allowlist">allowlist</option>
            <option value="full">full (unrestricted)</option>
          </Select>
        </Field>
        <Field label="DM policy" htmlFor="agent-dm">
          <Select id="agent-dm" name="dmPolicy" defaultValue={p.dmPolicy}>
            {["disabled", "pairing", "allowlist", "open"].map((v) => (
              <option key={v} value={v}>
                {v}
              </option>
            ))}
          </Select>
        </Field>
        <Field label="Sandbox mode" htmlFor="agent-sandbox" errors={err("posture.sandbox")} hint="As the gateway names it (e.g. off, non-main, all)">
          <Input id="agent-sandbox" name="sandbox" defaultValue={p.sandbox ?? ""} />
        </Field>
        <Field label="Group policy" htmlFor="agent-group">
          <Select id="agent-group" name="groupPolicy" defaultValue={p.groupPolicy}>
            {["disabled", "allowlist", "open"].map((v) => (
              <option key={v} value={v}>
                {v}
              </option>
            ))}
          </Select>
        </Field>
      </fieldset>
      <FormError text={notice?.tone === "error" ? notice.text : null} />
      <div>
        <Button type="submit" pending={pending}>
          {pending ? "Saving…" : mode === "create" ? "Register agent" : "Save changes"}
        </Button>
      </div>
    </form>
  );
}
