"use client";
import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/Button";
import { Input } from "@/components/ui/Field";
import { useToast } from "@/components/ui/Toaster";

/** The explorer's filters a view keeps (lib/tool-calls/views/schema.ts ZViewFilters), in URL order. */
const KEYS = ["range", "from", "to", "tool", "agent", "gateway", "decision", "person", "requester", "q"] as const;

export type SavedViewItem = { id: string; name: string; query: string };

/** The current URL's filters, as the object a view stores and as its query string. */
function currentFilters(params: URLSearchParams): { filters: Record<string, string>; query: string } {
  const filters: Record<string, string> = {};
  const qs = new URLSearchParams();
  for (const k of KEYS) {
    const v = params.get(k)?.trim();
    if (v) {
      filters[k] = v;
      qs.set(k, v);
    }
  }
  return { filters, query: qs.toString() };
}

type Problem = { message: string; name?: string };

async function send(method: "POST" | "PATCH" | "DELETE", url: string, body?: unknown): Promise<{ ok: true; data: { id: string; name: string } } | { ok: false; problem: Problem }> {
  try {
    const res = await fetch(url, { method, headers: { "content-type": "application/json", accept: "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
    const json = await res.json().catch(() => null);
    if (res.ok && json?.data) return { ok: true, data: json.data };
    const fe = json?.error?.fieldErrors as Record<string, string[]> | undefined;
    const firstOther = fe ? Object.entries(fe).find(([k]) => k !== "name") : undefined;
    return { ok: false, problem: { message: firstOther ? `${firstOther[0]}: ${firstOther[1][0]}` : (json?.error?.message ?? `Could not save (HTTP ${res.status}).`), name: fe?.name?.[0] } };
  } catch {
    return { ok: false, problem: { message: "Network error: nothing was changed." } };
  }
}

/**
 * Saved views of the explorer: the current filter set under a name, private to the user (stored
 * by Warden, so they follow the user across browsers). Open one with a click; rename or delete
 * them under "Manage".
 */
export function SavedViews({ views }: { views: SavedViewItem[] }) {
  const router = useRouter();
  const params = useSearchParams();
  const toast = useToast();
  const { filters, query } = currentFilters(new URLSearchParams(params.toString()));
  const [saving, setSaving] = useState(false);
  const [managing, setManaging] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const active = views.find((v) => v.query === query);

  async function onSave(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const name = String(new FormData(e.currentTarget).get("name") ?? "");
    setBusy(true);
    const res = await send("POST", "/api/v1/tool-calls/views", { name, filters });
    setBusy(false);
    if (!res.ok) return setProblem(res.problem);
    setProblem(null);
    setSaving(false);
    toast({ text: `View "${res.data.name}" saved.`, href: `/tool-calls${query ? `?${query}` : ""}`, linkLabel: "Open view" });
    router.refresh();
  }

  return (
    <section aria-labelledby="saved-views-title" className="mb-3 flex flex-wrap items-center gap-2 text-sm">
      <h2 id="saved-views-title" className="font-medium text-slate-700 dark:text-slate-300">
        Saved views
      </h2>
      {views.length === 0 && !saving && <span className="text-slate-500 dark:text-slate-400">none yet: set filters, then save them as a view.</span>}
      <ul className="flex flex-wrap gap-2" aria-label="Your saved views">
        {views.map((v) => (
          <li key={v.id}>
            <Link
              href={`/tool-calls${v.query ? `?${v.query}` : ""}`}
              aria-current={active?.id === v.id ? "page" : undefined}
              className={`inline-block rounded-full border px-3 py-1 ${active?.id === v.id ? "border-brand-600 bg-brand-50 text-brand-700 dark:bg-slate-800 dark:text-brand-100" : "border-slate-300 hover:bg-slate-50 dark:border-slate-700 dark:hover:bg-slate-800"}`}
            >
              {v.name}
            </Link>
          </li>
        ))}
      </ul>
      {!saving && (
        <Button
          variant="secondary"
          className="py-1"
          onClick={() => {
            setSaving(true);
            setProblem(null);
          }}
          disabled={Boolean(active)}
          title={active ? `These filters are saved as "${active.name}"` : undefined}
        >
          Save view
        </Button>
      )}
      {views.length > 0 && (
        <Button
          variant="ghost"
          className="py-1"
          aria-expanded={managing}
          onClick={() => {
            setManaging((m) => !m);
            setProblem(null);
          }}
        >
          {managing ? "Done" : "Manage"}
        </Button>
      )}
      {saving && (
        <form onSubmit={onSave} className="flex flex-wrap items-start gap-2" aria-label="Save the current filters as a view">
          <label className="flex items-center gap-2">
            <span>Name</span>
            <Input
              name="name"
              required
              maxLength={80}
              autoFocus
              placeholder="e.g. Blocked exec, last 7 days"
              aria-invalid={Boolean(problem?.name)}
              aria-describedby={problem ? "saved-view-error" : undefined}
              className="w-64"
            />
          </label>
          <Button type="submit" className="py-1" disabled={busy}>
            {busy ? "Saving…" : "Save"}
          </Button>
          <Button
            variant="ghost"
            className="py-1"
            onClick={() => {
              setSaving(false);
              setProblem(null);
            }}
          >
            Cancel
          </Button>
        </form>
      )}
      {problem && (
        <p id="saved-view-error" role="alert" className="w-full text-red-700 dark:text-red-300">
          {problem.name ?? problem.message}
        </p>
      )}
      {managing && <ManageViews views={views} onProblem={setProblem} />}
    </section>
  );
}

function ManageViews({ views, onProblem }: { views: SavedViewItem[]; onProblem: (p: Problem | null) => void }) {
  const router = useRouter();
  const toast = useToast();
  const [confirming, setConfirming] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  async function onRename(e: React.FormEvent<HTMLFormElement>, v: SavedViewItem) {
    e.preventDefault();
    const name = String(new FormData(e.currentTarget).get("name") ?? "");
    if (name.trim() === v.name) return;
    setBusy(v.id);
    const res = await send("PATCH", `/api/v1/tool-calls/views/${encodeURIComponent(v.id)}`, { name });
    setBusy(null);
    if (!res.ok) return onProblem(res.problem);
    onProblem(null);
    toast({ text: `View renamed to "${res.data.name}".` });
    router.refresh();
  }

  async function onDelete(v: SavedViewItem) {
    setBusy(v.id);
    const res = await send("DELETE", `/api/v1/tool-calls/views/${encodeURIComponent(v.id)}`);
    setBusy(null);
    setConfirming(null);
    if (!res.ok) return onProblem(res.problem);
    onProblem(null);
    toast({ text: `View "${v.name}" deleted.` });
    router.refresh();
  }

  return (
    <ul className="w-full space-y-2 rounded-lg border border-slate-200 p-3 dark:border-slate-800" aria-label="Manage saved views">
      {views.map((v) => (
        <li key={v.id} className="flex flex-wrap items-center gap-2">
          <form onSubmit={(e) => onRename(e, v)} className="flex items-center gap-2">
            <label className="sr-only" htmlFor={`rename-${v.id}`}>
              Name of {v.name}
            </label>
            <Input id={`rename-${v.id}`} name="name" defaultValue={v.name} required maxLength={80} className="w-64 py-1" />
            <Button type="submit" variant="secondary" className="py-1" disabled={busy === v.id}>
              Rename
            </Button>
          </form>
          {confirming === v.id ? (
            <span className="flex items-center gap-2">
              <span>Delete &ldquo;{v.name}&rdquo;?</span>
              <Button variant="danger" className="py-1" disabled={busy === v.id} onClick={() => onDelete(v)}>
                Delete
              </Button>
              <Button variant="ghost" className="py-1" onClick={() => setConfirming(null)}>
                Keep
              </Button>
            </span>
          ) : (
            <Button variant="ghost" className="py-1 text-red-700 dark:text-red-300" onClick={() => setConfirming(v.id)} aria-label={`Delete ${v.name}`}>
              Delete
            </Button>
          )}
        </li>
      ))}
    </ul>
  );
}
