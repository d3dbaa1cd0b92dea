import { createHash, randomBytes } from "node:crypto";

export const TOKEN_PREFIX = "wdn_";

/** A new personal API token: the secret (shown once) and what is stored. */
export function generateToken(): { token: string; tokenHash: string; prefix: string } {
  const token = TOKEN_PREFIX + randomBytes(32).toString("base64url");
  return { token, tokenHash: hashToken(token), prefix: token.slice(0, 10) };
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}
