"use client";
import { useState } from "react";
import { useRouter } from "next/navigation";
import { Button } from "@/components/ui/Button";
import { useToast } from "@/components/ui/Toaster";
import { inputClass, type ServerAction } from "./types";

type MatchKind = "none" | "param" | "egress_not_approved";

/** Create an approval rule: a tool (every agent or one), optionally only calls matching a parameter pattern or egress outside approved flows. */
export function RuleForm({ agents, action }: { agents: { id: string; name: string }[]; action: ServerAction }) {
  const router = useRouter();
  const [v, setV] = useState({ scope: "tool", toolName: "", agentId: "", match: "none" as MatchKind, path: "command", pattern: "", timeoutSeconds: "120", reason: "" });
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const toast = useToast();
  const set = (k: keyof typeof v) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>) => setV({ ...v, [k]: e.target.value });
  const err = (k: string) => errors[k]?.[0] ?? null;

  async function onSubmit(e: React.FormEvent) {
    e.preventDefault();
    setPending(true);
    setError(null);
    const res = await action({
      scope: v.scope,
      toolName: v.toolName,
      timeoutSeconds: Number(v.timeoutSeconds),
      reason: v.reason,
      ...(v.scope === "agent_tool" ? { agentId: v.agentId || undefined } : {}),
      ...(v.match === "param" ? { match: { type: "param", path: v.path, pattern: v.pattern } } : v.match === "egress_not_approved" ? { match: { type: "egress_not_approved" } } : {}),
    });
    setPending(false);
    if (!res.ok) {
      setErrors(res.fieldErrors ?? {});
      return setError(res.error);
    }
    toast({ text: `Approval rule added: calls to ${v.toolName} now wait for a person.`, href: "/approvals/rules", linkLabel: "Open rules" });
    setErrors({});
    setV({ ...v, toolName: "", pattern: "", reason: "" });
    router.refresh();
  }

  const field = (label: string, k: string, control: React.ReactNode) => (
    <label className="block text-sm">
      <span className="mb-1 block font-medium">{label}</span>
      {control}
      {err(k) && (
        <span role="alert" className="mt-1 block text-red-600">
          {err(k)}
        </span>
      )}
    </label>
  );
  return (
    <form onSubmit={onSubmit} className="grid gap-3 md:grid-cols-2" aria-label="New approval rule">
      {field(
        "Applies to",
        "scope",
        <select className={inputClass} value={v.scope} onChange={set("scope")}>
          <option value="tool">every agent</option>
          <option value="agent_tool">one agent</option>
        </select>,
      )}
      {v.scope === "agent_tool" &&
        field(
          "Agent",
          "agentId",
          <select className={inputClass} value={v.agentId} onChange={set("agentId")} aria-invalid={Boolean(err("agentId"))}>
            <option value="">Choose…</option>
            {agents.map((a) => (
              <option key={a.id} value={a.id}>
                {a.name}
              </option>
            ))}
          </select>,
        )}
      {field("Tool", "toolName", <input className={inputClass} value={v.toolName} onChange={set("toolName")} placeholder="exec" aria-invalid={Boolean(err("toolName"))} />)}
      {field(
        "Which calls",
        "match",
        <select className={inputClass} value={v.match} onChange={set("match")}>
          <option value="none">every call</option>
          <option value="param">a parameter matches a pattern</option>
          <option value="egress_not_approved">a URL outside the agent&apos;s approved data flows</option>
        </select>,
      )}
      {v.match === "param" && field("Parameter (dotted path)", "match.path", <input className={inputClass} value={v.path} onChange={set("path")} aria-invalid={Boolean(err("match.path"))} />)}
      {v.match === "param" &&
        field(
          "Pattern (regular expression, at most 200 characters)",
          "match.pattern",
          <input className={inputClass} value={v.pattern} onChange={set("pattern")} placeholder="^rm\s" aria-invalid={Boolean(err("match.pattern"))} />,
        )}
      {field(
        "Time to decide (seconds, 10–1800)",
        "timeoutSeconds",
        <input type="number" min={10} max={1800} className={inputClass} value={v.timeoutSeconds} onChange={set("timeoutSeconds")} aria-invalid={Boolean(err("timeoutSeconds"))} />,
      )}
      {field("Reason (shown to approvers)", "reason", <input className={inputClass} value={v.reason} onChange={set("reason")} aria-invalid={Boolean(err("reason"))} />)}
      <div className="md:col-span-2">
        {error && (
          <p role="alert" className="mb-2 text-sm text-red-600">
            {error}
          </p>
        )}
        <Button type="submit" pending={pending}>
          {pending ? "Saving…" : "Add rule"}
        </Button>
      </div>
    </form>
  );
}
