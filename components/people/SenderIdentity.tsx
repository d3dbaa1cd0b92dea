/** How a sender identity reads everywhere: "telegram / default / 123456" (channel / account / sender). */
export function senderLabel(i: { channel?: string | null; accountId?: string | null; senderId?: string | null }): string {
  return `${i.channel || "?"} / ${i.accountId || "-"} / ${i.senderId || "?"}`;
}

/** What a sender identity is, for empty states and form hints. */
export function SenderIdentityHelp() {
  return (
    <>
      A sender identity is how a gateway reports who wrote the message an agent acts on: the <strong>channel</strong>, the channel <strong>account</strong> and the <strong>sender id</strong>, exactly
      as OpenClaw reports them (for example <code className="rounded bg-slate-100 px-1 dark:bg-slate-800">telegram / default / 123456</code>). Calls from a sender linked to a person show that person
      as &quot;who asked&quot;; other senders show as unmapped.
    </>
  );
}
