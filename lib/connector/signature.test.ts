import { describe, expect, it } from "vitest";
import { generateSigningSecret, sign, signedHeaders, verifySignature } from "./signature";

const h = (x: Record<string, string>) => ({ id: x["webhook-id"], timestamp: x["webhook-timestamp"], signature: x["webhook-signature"] });

describe("Standard Webhooks signatures", () => {
  it("matches the Standard Webhooks reference vector", () => {
    // From the Standard Webhooks spec's test suite.
    expect(sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, '{"test": 2432232314}')).toBe("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
  });
  it("accepts a good signature, rejects tampering, stale timestamps and missing headers", () => {
    const secret = generateSigningSecret();
    const body = JSON.stringify({ events: [] });
    const headers = signedHeaders(secret, body);
    expect(verifySignature([secret], h(headers), body)).toEqual({ ok: true });
    expect(verifySignature([secret], h(headers), body + " ")).toEqual({ ok: false, reason: "bad_signature" });
    expect(verifySignature([generateSigningSecret()], h(headers), body)).toEqual({ ok: false, reason: "bad_signature" });
    const old = signedHeaders(secret, body, { timestamp: Math.floor(Date.now() / 1000) - 301 });
    expect(verifySignature([secret], h(old), body)).toEqual({ ok: false, reason: "stale_timestamp" });
    expect(verifySignature([secret], { id: null, timestamp: "1", signature: "v1,x" }, body)).toEqual({ ok: false, reason: "missing_headers" });
    expect(verifySignature([secret], { ...h(headers), timestamp: "soon" }, body)).toEqual({ ok: false, reason: "bad_timestamp" });
  });
  it("accepts any of several secrets (rotation grace) and several signatures", () => {
    const oldSecret = generateSigningSecret();
    const newSecret = generateSigningSecret();
    const body = "{}";
    const headers = signedHeaders(oldSecret, body);
    expect(verifySignature([newSecret, oldSecret], h(headers), body)).toEqual({ ok: true });
    const both = { ...h(headers), signature: `v1,AAAA ${headers["webhook-signature"]}` };
    expect(verifySignature([oldSecret], both, body)).toEqual({ ok: true });
  });
});
