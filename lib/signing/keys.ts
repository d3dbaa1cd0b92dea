import "server-only";
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign as edSign } from "node:crypto";
import { db } from "@/lib/db";
import { seal, unseal } from "@/lib/crypto";

const SETTING = "warden_signing_key";
type Stored = { keyId: string; publicKeyPem: string; privateKeyEnc: string; createdAt: string };

let cache: { keyId: string; publicKeyPem: string; privateKeyPem: string } | null = null;

/**
 * Warden's Ed25519 key pair: gateways verify every policy with its public key. Created once
 * (first caller wins), the private key sealed at rest and never leaving the server.
 */
export async function wardenSigningKey() {
  if (cache) return cache;
  let row = await db.setting.findUnique({ where: { key: SETTING } });
  if (!row) {
    const { publicKey, privateKey } = generateKeyPairSync("ed25519");
    const publicKeyPem = publicKey.export({ type: "spki", format: "pem" }).toString();
    const keyId = createHash("sha256")
      .update(publicKey.export({ type: "spki", format: "der" }))
      .digest("hex")
      .slice(0, 16);
    const value: Stored = { keyId, publicKeyPem, privateKeyEnc: seal(privateKey.export({ type: "pkcs8", format: "pem" }).toString()), createdAt: new Date().toISOString() };
    await db.setting.createMany({ data: [{ key: SETTING, value }], skipDuplicates: true });
    row = await db.setting.findUniqueOrThrow({ where: { key: SETTING } });
  }
  const v = row.value as Stored;
  const privateKeyPem = unseal(v.privateKeyEnc);
  // The public half (and its id) comes from the sealed private key, never from the stored copy:
  // whoever can write the settings table but lacks WARDEN_SECRET cannot make Warden publish, or
  // check signatures with, a key of theirs.
  const publicKey = createPublicKey(createPrivateKey(privateKeyPem));
  const keyId = createHash("sha256")
    .update(publicKey.export({ type: "spki", format: "der" }))
    .digest("hex")
    .slice(0, 16);
  cache = { keyId, publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(), privateKeyPem };
  return cache;
}

/** The public half, safe to publish. */
export async function wardenPublicKey() {
  const k = await wardenSigningKey();
  const raw = createPublicKey(k.publicKeyPem).export({ type: "spki", format: "der" }).subarray(-32);
  return { keyId: k.keyId, algorithm: "Ed25519" as const, publicKeyPem: k.publicKeyPem, publicKey: raw.toString("base64") };
}

/** Sign bytes with Warden's private key (Ed25519, base64 signature). */
export async function signWithWardenKey(data: string | Buffer): Promise<{ keyId: string; signature: string }> {
  const k = await wardenSigningKey();
  return { keyId: k.keyId, signature: edSign(null, Buffer.isBuffer(data) ? data : Buffer.from(data), createPrivateKey(k.privateKeyPem)).toString("base64") };
}

/**
 * The public key as stored in the database, for tools that run without WARDEN_SECRET (the CLI):
 * whoever owns the database could have replaced it, so callers say where their key came from.
 */
export async function storedWardenPublicKeyPem(): Promise<string | null> {
  const row = await db.setting.findUnique({ where: { key: SETTING } });
  return row ? (row.value as Stored).publicKeyPem : null;
}
