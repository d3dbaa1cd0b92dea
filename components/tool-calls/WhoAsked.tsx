import Link from "next/link";
import { Badge } from "@/components/ui/Badge";

export type RequesterKind = "person" | "unmapped" | "none";
export type WhoAskedFields = {
  requesterKind: RequesterKind;
  personId: string | null;
  personName: string | null;
  requester: unknown;
  chain: string[];
};

/** The channel / account / sender of a stored requester (JSON from the gateway, so checked field by field). */
export function requesterParts(r: unknown): { channel?: string; accountId?: string; senderId?: string; senderIsOwner?: boolean; roleIds?: string[] } {
  if (!r || typeof r !== "object" || Array.isArray(r)) return {};
  const o = r as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === "string" ? v : undefined);
  return {
    channel: str(o.channel),
    accountId: str(o.accountId),
    senderId: str(o.senderId),
    senderIsOwner: typeof o.senderIsOwner === "boolean" ? o.senderIsOwner : undefined,
    roleIds: Array.isArray(o.roleIds) ? o.roleIds.filter((x): x is string => typeof x === "string") : undefined,
  };
}

/** Who asked for a call: the person (linked), an unmapped sender, or no provable requester; with the delegation chain. */
export function WhoAsked({ call, linkClass = "text-brand-600 hover:underline dark:text-brand-100" }: { call: WhoAskedFields; linkClass?: string }) {
  const r = requesterParts(call.requester);
  const who =
    call.requesterKind === "person" && call.personId ? (
      <Link href={`/people/${call.personId}`} className={linkClass}>
        {call.personName ?? "(deleted person)"}
      </Link>
    ) : call.requesterKind === "unmapped" ? (
      <span title="A sender not in the directory (or a disabled person's): add it to a person on the People page">
        <Badge tone="amber">unmapped</Badge>{" "}
        <code className="text-xs">
          {r.channel ?? "?"}/{r.senderId ?? "?"}
        </code>
      </span>
    ) : (
      <span className="text-slate-500 dark:text-slate-400" title="The gateway reported no sender (an automated run, or a gateway that does not say)">
        no requester
      </span>
    );
  return (
    <span className="flex flex-col gap-0.5">
      <span>{who}</span>
      {call.chain.length > 0 && <span className="text-xs text-slate-600 dark:text-slate-400">via {call.chain.join(" → ")}</span>}
    </span>
  );
}
