"use client";
import { useState } from "react";
import { useRouter } from "next/navigation";
import { DataTable } from "@/components/ui/DataTable";
import { Badge } from "@/components/ui/Badge";
import { Button } from "@/components/ui/Button";
import { useToast } from "@/components/ui/Toaster";
import { EmptyState } from "@/components/ui/Card";
import { fmtDate } from "@/components/ui/format";
import type { ServerAction } from "@/components/admin/types";
import { SecretNotice } from "./SecretNotice";
import { WebhookForm } from "./WebhookForm";
import { DELIVERY_TONE } from "./tones";

export type EndpointItem = {
  id: string;
  name: string;
  urlHost: string;
  urlDisplay: string;
  format: string;
  events: string[];
  enabled: boolean;
  lastDelivery: { state: string; createdAt: string; lastStatus: number | null } | null;
};

type Actions = { updateWebhook: ServerAction; rotateWebhookSecret: ServerAction; deleteWebhook: ServerAction; testWebhook: ServerAction };
type Notice = { tone: "ok" | "error"; text: string; secret?: { name: string; value: string } };

const TOAST_OF: Record<string, string> = {
  test: "Test delivery queued.",
  toggle: "Webhook endpoint updated.",
  rotate: "Signing secret rotated: copy the new one from the notice.",
  delete: "Webhook endpoint deleted.",
};

/** The endpoints with their last delivery, and the per-endpoint actions (dangerous ones confirmed). */
export function EndpointsTable({ endpoints, actions }: { endpoints: EndpointItem[]; actions: Actions }) {
  const router = useRouter();
  const [notice, setNotice] = useState<Notice | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const toast = useToast();

  async function call(key: string, action: ServerAction, input: unknown, done: (data: unknown) => Notice) {
    setBusy(key);
    try {
      const res = await action(input);
      if (!res.ok) {
        toast({ tone: "error", text: res.error });
        return setNotice({ tone: "error", text: res.error });
      }
      const n = done(res.data);
      setNotice(n);
      // The notice on the page says it in full (with a new secret, if any: never in a toast).
      toast({ text: TOAST_OF[key.split("-")[0]] ?? "Done." });
      router.refresh();
    } catch {
      toast({ tone: "error", text: "Warden could not be reached; nothing changed." });
      setNotice({ tone: "error", text: "Warden could not be reached. Try again." });
    } finally {
      setBusy(null);
    }
  }

  const editingEndpoint = endpoints.find((e) => e.id === editing);

  return (
    <div className="space-y-3">
      <div aria-live="polite">
        {notice && (
          <div
            role={notice.tone === "error" ? "alert" : "status"}
            className={`rounded-md p-3 text-sm ${notice.tone === "error" ? "bg-red-50 text-red-700 dark:bg-red-950 dark:text-red-300" : "bg-emerald-50 dark:bg-emerald-950"}`}
          >
            {notice.text}
            {notice.secret && <SecretNotice name={notice.secret.name} secret={notice.secret.value} />}
          </div>
        )}
      </div>
      {editingEndpoint && (
        <div className="rounded-xl border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900">
          <h3 className="mb-3 font-medium">Edit {editingEndpoint.name}</h3>
          <WebhookForm
            key={editingEndpoint.id}
            action={actions.updateWebhook}
            initial={editingEndpoint}
            onDone={(message) => {
              setEditing(null);
              if (message) setNotice({ tone: "ok", text: message });
            }}
          />
        </div>
      )}
      <DataTable
        caption="Webhook endpoints"
        columns={[
          { id: "name", header: "Endpoint" },
          { id: "format", header: "Format" },
          { id: "events", header: "Events" },
          { id: "status", header: "Status" },
          { id: "last", header: "Last delivery" },
          { id: "actions", header: "Actions" },
        ]}
        rows={endpoints.map((e) => ({
          key: e.id,
          cells: {
            name: (
              <div>
                <p className="font-medium">{e.name}</p>
                <p className="text-xs text-slate-500" title={e.urlDisplay}>
                  {e.urlHost}
                </p>
              </div>
            ),
            format: <Badge tone={e.format === "slack" ? "blue" : "gray"}>{e.format}</Badge>,
            events:
              e.events.length === 0 ? (
                <span className="text-slate-600 dark:text-slate-400">all events</span>
              ) : (
                <ul className="space-y-0.5 text-xs">
                  {e.events.map((ev) => (
                    <li key={ev}>
                      <code>{ev}</code>
                    </li>
                  ))}
                </ul>
              ),
            status: e.enabled ? <Badge tone="green">enabled</Badge> : <Badge tone="gray">disabled</Badge>,
            last: e.lastDelivery ? (
              <div className="space-y-0.5">
                <Badge tone={DELIVERY_TONE[e.lastDelivery.state] ?? "gray"}>{e.lastDelivery.state}</Badge>
                <p className="whitespace-nowrap text-xs text-slate-500">
                  {fmtDate(e.lastDelivery.createdAt)}
                  {e.lastDelivery.lastStatus ? ` · HTTP ${e.lastDelivery.lastStatus}` : ""}
                </p>
              </div>
            ) : (
              <span className="text-xs text-slate-500">none yet</span>
            ),
            actions: (
              <div className="flex flex-wrap gap-2">
                <Button
                  variant="secondary"
                  disabled={busy !== null || !e.enabled}
                  title={e.enabled ? undefined : "Enable the endpoint to send a test"}
                  onClick={() => call(`test-${e.id}`, actions.testWebhook, { id: e.id }, () => ({ tone: "ok", text: `Test queued for ${e.name}; see the delivery log below.` }))}
                >
                  Send test
                </Button>
                <Button
                  variant="secondary"
                  disabled={busy !== null}
                  onClick={() => {
                    if (e.enabled && !window.confirm(`Disable ${e.name}? Nothing is sent to it until it is enabled again; new notifications for it wait in the queue.`)) return;
                    void call(`toggle-${e.id}`, actions.updateWebhook, { id: e.id, enabled: !e.enabled }, () => ({ tone: "ok", text: `${e.name} ${e.enabled ? "disabled" : "enabled"}.` }));
                  }}
                >
                  {e.enabled ? "Disable" : "Enable"}
                </Button>
                <Button variant="ghost" disabled={busy !== null} onClick={() => setEditing(e.id)}>
                  Edit
                </Button>
                <Button
                  variant="secondary"
                  disabled={busy !== null}
                  onClick={() => {
                    if (!window.confirm(`Rotate the signing secret of ${e.name}? The receiver must switch to the new secret: requests from now on are signed with it only.`)) return;
                    void call(`rotate-${e.id}`, actions.rotateWebhookSecret, { id: e.id }, (data) => ({
                      tone: "ok",
                      text: `New secret for ${e.name}.`,
                      secret: { name: e.name, value: (data as { secret: string }).secret },
                    }));
                  }}
                >
                  Rotate secret
                </Button>
                <Button
                  variant="danger"
                  disabled={busy !== null}
                  onClick={() => {
                    if (!window.confirm(`Delete ${e.name}? Its queued deliveries and delivery log are deleted too. This cannot be undone.`)) return;
                    if (editing === e.id) setEditing(null);
                    void call(`delete-${e.id}`, actions.deleteWebhook, { id: e.id }, () => ({ tone: "ok", text: `${e.name} deleted.` }));
                  }}
                >
                  Delete
                </Button>
              </div>
            ),
          },
          sort: { name: e.name, format: e.format, status: e.enabled ? 0 : 1, last: e.lastDelivery?.createdAt ?? "" },
        }))}
        empty={
          <EmptyState title="No webhook endpoints">
            Add one to receive kill-switch, budget, incident and review notifications in Slack, a SIEM or any HTTPS receiver — independent of the agents.
          </EmptyState>
        }
      />
    </div>
  );
}
