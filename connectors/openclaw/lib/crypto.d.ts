// Types for crypto.js (so Warden's TypeScript can import the plugin's plain ESM).
export function signedHeaders(secret: string, gatewayId: string, body: string): Record<string, string>;
export function canonicalJson(value: unknown): string;
export function verifySignedPolicy(signed: unknown, publicKeyPem: string, expectedKeyId?: string): { ok: true } | { ok: false; reason: string };
