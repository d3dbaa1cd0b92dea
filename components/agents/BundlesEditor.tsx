"use client";
import { useState } from "react";
import { useRouter } from "next/navigation";
import { Button } from "@/components/ui/Button";
import { useToast } from "@/components/ui/Toaster";
import type { ServerAction } from "@/components/admin/types";

export function BundlesEditor({ agentId, bundles, selected, action }: { agentId: string; bundles: { id: string; name: string; tools: string[] }[]; selected: string[]; action: ServerAction }) {
  const router = useRouter();
  const [chosen, setChosen] = useState(new Set(selected));
  const [msg, setMsg] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const toast = useToast();
  async function onSave() {
    setPending(true);
    try {
      const res = await action({ agentId, bundleIds: [...chosen] });
      setMsg(res.ok ? "Bundles saved." : res.error);
      if (res.ok) toast({ text: `Bundles saved (${chosen.size}); the agent's policy is being refreshed.` });
    } catch {
      setMsg("Warden could not be reached. Try again.");
    } finally {
      setPending(false);
    }
    router.refresh();
  }
  return (
    <div className="space-y-2">
      {bundles.map((b) => (
        <label key={b.id} className="flex items-start gap-2 text-sm">
          <input
            type="checkbox"
            className="mt-1"
            checked={chosen.has(b.id)}
            onChange={(e) => {
              const n = new Set(chosen);
              if (e.target.checked) n.add(b.id);
              else n.delete(b.id);
              setChosen(n);
            }}
          />
          <span>
            <span className="font-medium">{b.name}</span> <span className="text-xs text-slate-500">{b.tools.join(", ") || "no tools"}</span>
          </span>
        </label>
      ))}
      <Button variant="secondary" pending={pending} onClick={onSave}>
        {pending ? "Working…" : "Save bundles"}
      </Button>
      {msg && (
        <p role="status" className="text-sm">
          {msg}
        </p>
      )}
    </div>
  );
}
