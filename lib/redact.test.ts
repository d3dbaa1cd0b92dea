import { describe, expect, it } from "vitest";
import { REDACTED, redact, redactedJson, redactString } from "./redact";

// A corpus of credential formats (all fake) that must never be stored.
const CORPUS: [string, string][] = [
  ["openai", "sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4zAb7cDe0f"],
  ["openai legacy", "sk-1234567890abcdefghijklmnopqrstuvwxyzABCD"],
  ["anthropic", "sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_AbCdEf"],
  ["google", "AIzaSyA1234567890abcdefghijklmnopqrstuv"],
  ["github classic", "ghp_abcdefghijklmnopqrstuvwxyz0123456789"],
  ["github fine-grained", "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz"],
  ["slack bot", "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx"],
  ["slack webhook", "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX"],
  ["aws access key", "AKIAIOSFODNN7EXAMPLE"],
  ["stripe", "sk_live_4eC39HqLyjWDarjtT1zdp7dc"],
  ["jwt", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"],
  ["warden token", "wdn_Zm9vYmFyYmF6cXV4cXV1eGZvb2JhcmJhenF1eA"],
];

describe("redaction", () => {
  it.each(CORPUS)("removes %s keys from free text", (_name, secret) => {
    const out = redactString(`calling with ${secret} now`);
    expect(out).not.toContain(secret);
    expect(out).toContain(REDACTED);
    expect(out.startsWith("calling with ")).toBe(true);
  });

  it("keeps the rest of bearer headers, db URLs and AWS secrets readable", () => {
    expect(redactString("Authorization: Bearer abcdefghijklmnopqrstuvwxyz012345")).toBe(`Authorization: Bearer ${REDACTED}`);
    expect(redactString("postgres://app:s3cr3t-pass@db.internal:5432/prod")).toBe(`postgres://${REDACTED}@db.internal:5432/prod`);
    expect(redactString("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")).toBe(`aws_secret_access_key = ${REDACTED}`);
  });

  it("removes private key blocks whole", () => {
    const pem = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----";
    expect(redactString(`key:\n${pem}\nend`)).toBe(`key:\n${REDACTED}\nend`);
  });

  it("redacts secret-named keys at any depth, keeps safe metadata", () => {
    const out = redact({ user: { password: "x", apiKey: 123, nested: [{ client_secret: "y" }] }, tokensIn: 42, prefix: "wdn_abc", note: "fine" });
    expect(out).toEqual({ user: { password: REDACTED, apiKey: REDACTED, nested: [{ client_secret: REDACTED }] }, tokensIn: 42, prefix: "wdn_abc", note: "fine" });
  });

  it("leaves ordinary text alone", () => {
    const text = "Summarise https://example.com/docs for the sk team; skip-list and ghp notes";
    expect(redactString(text)).toBe(text);
  });

  it("redactedJson gives the text of redact(value) for every corpus entry, nested, keyed or escaped", () => {
    const values: unknown[] = [
      { path: "/srv/data/1.json", limit: 100 },
      ["plain", 1, true, null, { deep: { deeper: "fine" } }],
      "just a string",
      42,
      { password: "x" },
      { nested: [{ client_secret: 7 }] },
      { tokensIn: 3, prefix: "wdn_abc" },
      { note: "Bearer\tabcdefghijklmnopqrstuvwxyz012345" }, // only visible unescaped
      { pem: "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----" },
      { quoted: 'say "sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789" twice' },
      ...CORPUS.flatMap(([, secret]) => [secret, { arg: `use ${secret}` }, [{ a: [secret] }], { [secret]: "as a key" }]),
    ];
    let fast = 0;
    for (const v of values) {
      const json = JSON.stringify(v);
      const out = redactedJson(v, json);
      expect(out, json).toBe(JSON.stringify(redact(v)));
      if (out === json) fast++;
    }
    // The clean values take the fast path (the same string back); every secret was redacted.
    expect(fast).toBeGreaterThanOrEqual(4);
    for (const [, secret] of CORPUS) expect(values.map((v) => redactedJson(v, JSON.stringify(v))).join("\n")).not.toContain(secret);
  });

  it("stays linear on hostile input (64 KB, the largest JSON field ingestion accepts)", () => {
    const n = 64 * 1024;
    const hostile = [
      "password=".repeat(n / 9),
      'token: "' + "a".repeat(n),
      "api_key=".repeat(n / 8),
      "://a".repeat(n / 4),
      "https://" + "a:".repeat(n / 2),
      "-----BEGIN PRIVATE KEY-----".repeat(n / 27),
      "authorization: ".repeat(n / 15),
      'cookie: a="' + '="'.repeat(n / 2),
      "1234567890:AA".repeat(n / 13),
      "sk-".repeat(n / 3),
      " -u a:".repeat(n / 6),
      'password\\":\\"' + "\\".repeat(n),
      "secret_key_".repeat(n / 11) + "=",
    ];
    for (const text of hostile) {
      const t = performance.now();
      redactString(text);
      redactedJson({ text }, JSON.stringify({ text }));
      expect(performance.now() - t, text.slice(0, 30)).toBeLessThan(500);
    }
  });
});
