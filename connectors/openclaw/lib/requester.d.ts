// Types for requester.js (so Warden's TypeScript code and tests can import the plugin's plain ESM).
export type Requester = { channel?: string; accountId?: string; senderId?: string; senderIsOwner?: boolean; roleIds?: string[] };
export function normalizeRequester(r: unknown): Requester | undefined;
export function requesterKey(r: { channel?: string; accountId?: string; senderId?: string } | undefined): string | undefined;
