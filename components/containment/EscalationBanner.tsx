import Link from "next/link";
import { RelativeTime } from "@/components/ui/RelativeTime";

export type EscalationItem = { deliveryId: string; containmentId: string; kind: string; action: string; label: string; gatewayId: string; gatewayName: string; escalatedAt: Date | null };
export type EscalationWebhooks = { subscribed: number; queued: number; delivered: number };

const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString("en")} ${n === 1 ? one : many}`;

/**
 * The escalation banner: which gateway did not acknowledge which command (each linked), and what
 * Warden actually did about it — the webhook notifications it queued, or that no webhook is
 * subscribed. Shown only while an escalation still matters (lib/containment/queries.ts).
 */
export function EscalationBanner({
  total,
  items,
  webhooks,
  canManageWebhooks,
  showContainment = true,
}: {
  total: number;
  items: EscalationItem[];
  webhooks: EscalationWebhooks;
  canManageWebhooks: boolean;
  showContainment?: boolean;
}) {
  if (total === 0) return null;
  return (
    <div role="alert" data-testid="escalation-banner" className="mb-6 rounded-lg border-2 border-red-500 bg-red-50 p-4 text-red-900 dark:bg-red-950/40 dark:text-red-200">
      <p className="font-semibold">Escalation: {plural(total, "command")} not acknowledged in time</p>
      <ul className="mt-1 list-disc pl-5 text-sm">
        {items.map((e) => (
          <li key={e.deliveryId}>
            <Link className="underline" href={`/gateways/${e.gatewayId}`}>
              {e.gatewayName}
            </Link>{" "}
            did not acknowledge {e.kind === "release" ? "the release of " : ""}
            {showContainment ? (
              <Link className="underline" href={`/containment/${e.containmentId}`}>
                {e.action.replace(/_/g, " ")} {e.label}
              </Link>
            ) : (
              <span>
                {e.action.replace(/_/g, " ")} {e.label}
              </span>
            )}
            {e.escalatedAt && (
              <>
                {" "}
                (escalated <RelativeTime at={e.escalatedAt} />)
              </>
            )}
          </li>
        ))}
        {total > items.length && <li>and {plural(total - items.length, "more")}</li>}
      </ul>
      <p className="mt-2 text-sm">
        Warden keeps retrying delivery; use the gateway&apos;s break-glass path if it stays silent.{" "}
        {webhooks.subscribed === 0 ? (
          <>
            No webhooks configured for escalations, so nobody was notified by webhook
            {canManageWebhooks ? (
              <>
                {" "}
                (
                <Link className="underline" href="/admin/webhooks">
                  add one
                </Link>
                )
              </>
            ) : null}
            .
          </>
        ) : webhooks.queued === 0 ? (
          <>No webhook notification was sent for these ({plural(webhooks.subscribed, "webhook")} subscribed now).</>
        ) : (
          <>
            Notified {plural(webhooks.queued, "webhook")} ({webhooks.delivered.toLocaleString("en")} delivered so far).
          </>
        )}
      </p>
    </div>
  );
}
