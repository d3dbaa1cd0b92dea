// Who asked: the person whose message started an agent run, as OpenClaw tells a plugin
// (`ctx.requester` of before_tool_call and after_tool_call: channel, accountId, senderId,
// senderIsOwner, roleIds; docs/plugins/hooks/tool-policy.md of openclaw@2026.9.6). Missing fields
// are unproven, never false assurances. Shared by the plugin and Warden (lib/people/keys.ts), so the
// key a gateway computes and the key Warden's directory stores are the same bytes.
import { createHash } from "node:crypto";

const text = (v, max) => (typeof v === "string" && v.trim() ? v.trim().slice(0, max) : undefined);

/**
 * The requester as reported to Warden: only the known fields, bounded; undefined when OpenClaw gave
 * nothing usable (no sender and no channel: an automated run, cron, heartbeat, or an older gateway).
 * @param {unknown} r ctx.requester
 * @returns {{ channel?: string, accountId?: string, senderId?: string, senderIsOwner?: boolean, roleIds?: string[] } | undefined}
 */
export function normalizeRequester(r) {
  if (!r || typeof r !== "object" || Array.isArray(r)) return undefined;
  const out = {};
  const channel = text(r.channel, 100);
  const accountId = text(r.accountId, 200);
  const senderId = text(r.senderId, 200);
  if (channel) out.channel = channel.toLowerCase();
  if (accountId) out.accountId = accountId;
  if (senderId) out.senderId = senderId;
  if (typeof r.senderIsOwner === "boolean") out.senderIsOwner = r.senderIsOwner;
  if (Array.isArray(r.roleIds)) {
    const roles = [...new Set(r.roleIds.map((x) => text(x, 200)).filter(Boolean))].slice(0, 50);
    if (roles.length) out.roleIds = roles;
  }
  return out.senderId || out.channel ? out : undefined;
}

/**
 * The directory key of a sender: hex SHA-256 of "channel\0accountId\0senderId" (accountId "" when
 * the channel has none; channel lower case). Undefined without a channel and a sender (not provable).
 * @param {{ channel?: string, accountId?: string, senderId?: string } | undefined} r
 */
export function requesterKey(r) {
  const channel = text(r?.channel, 100)?.toLowerCase();
  const senderId = text(r?.senderId, 200);
  if (!channel || !senderId) return undefined;
  const accountId = text(r?.accountId, 200) ?? "";
  return createHash("sha256").update(`${channel}\u0000${accountId}\u0000${senderId}`).digest("hex");
}
