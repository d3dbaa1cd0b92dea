// Standard Webhooks signing (gateway -> Warden) and Ed25519 policy verification (Warden -> gateway).
// Mirrors lib/connector/signature.ts and lib/signing/canonical.ts of the Warden app. node:crypto only.
import { createHmac, createPublicKey, randomBytes, verify } from "node:crypto";

const SECRET_PREFIX = "whsec_";

function keyBytes(secret) {
  return Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, "base64");
}

/** Headers of a signed request. Sign the exact body string that is sent; a GET signs "". */
export function signedHeaders(secret, gatewayId, body) {
  const id = `msg_${randomBytes(12).toString("base64url")}`;
  const timestamp = Math.floor(Date.now() / 1000);
  const signature = "v1," + createHmac("sha256", keyBytes(secret)).update(`${id}.${timestamp}.${body}`).digest("base64");
  return { "x-warden-gateway": gatewayId, "webhook-id": id, "webhook-timestamp": String(timestamp), "webhook-signature": signature };
}

/** JSON.stringify with object keys sorted at every depth (arrays keep their order, undefined dropped). */
export function canonicalJson(value) {
  return JSON.stringify(sortDeep(value));
}
function sortDeep(value) {
  if (Array.isArray(value)) return value.map(sortDeep);
  if (value && typeof value === "object") {
    const out = {};
    for (const key of Object.keys(value).sort()) if (value[key] !== undefined) out[key] = sortDeep(value[key]);
    return out;
  }
  return value;
}

/** Verify a signed policy {policy, signature, keyId, algorithm} with Warden's Ed25519 public key (PEM). */
export function verifySignedPolicy(signed, publicKeyPem, expectedKeyId) {
  if (!signed || typeof signed !== "object") return { ok: false, reason: "not an object" };
  if (signed.algorithm !== "Ed25519") return { ok: false, reason: `unsupported algorithm ${signed.algorithm}` };
  if (expectedKeyId && signed.keyId !== expectedKeyId) return { ok: false, reason: `keyId ${signed.keyId} is not the pinned key ${expectedKeyId}` };
  if (typeof signed.signature !== "string" || !signed.policy) return { ok: false, reason: "missing signature or policy" };
  let ok = false;
  try {
    ok = verify(null, Buffer.from(canonicalJson(signed.policy)), createPublicKey(publicKeyPem), Buffer.from(signed.signature, "base64"));
  } catch (err) {
    return { ok: false, reason: `verify error: ${err.message}` };
  }
  if (!ok) return { ok: false, reason: "bad signature" };
  const p = signed.policy;
  if (p.schema !== "warden.policy/v1" || !Array.isArray(p.agents)) return { ok: false, reason: "unknown policy schema" };
  return { ok: true };
}
