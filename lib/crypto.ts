import "server-only";
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import { serverSecret } from "@/lib/env";

// Secrets at rest (gateway signing secrets, admin tokens, Warden's private key) are sealed with
// AES-256-GCM under a key derived from WARDEN_SECRET. Ciphertext format: v1.<iv>.<tag>.<data>.
function key(): Buffer {
  return Buffer.from(hkdfSync("sha256", serverSecret(), "warden", "secrets-at-rest/v1", 32));
}

/** Encrypt a secret for storage. */
export function seal(plaintext: string): string {
  const iv = randomBytes(12);
  const c = createCipheriv("aes-256-gcm", key(), iv);
  const data = Buffer.concat([c.update(plaintext, "utf8"), c.final()]);
  return ["v1", iv.toString("base64url"), c.getAuthTag().toString("base64url"), data.toString("base64url")].join(".");
}

/** Decrypt a stored secret (throws when it was tampered with or the server secret changed). */
export function unseal(sealed: string): string {
  const [v, iv, tag, data] = sealed.split(".");
  if (v !== "v1" || !iv || !tag || data === undefined) throw new Error("Not a sealed secret.");
  const d = createDecipheriv("aes-256-gcm", key(), Buffer.from(iv, "base64url"));
  d.setAuthTag(Buffer.from(tag, "base64url"));
  return Buffer.concat([d.update(Buffer.from(data, "base64url")), d.final()]).toString("utf8");
}
