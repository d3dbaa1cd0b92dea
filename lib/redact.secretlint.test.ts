/**
 * Differential test: secretlint's recommended preset (a maintained rule set, dev dependency) is
 * the oracle for the compiled matcher of lib/redact.ts. Every rule of the preset gets realistic
 * samples, placed in JSON, longer text, URLs and headers; whatever the preset detects in them,
 * it must detect nothing of it after redaction, and no part of the secret may survive.
 */
import path from "node:path";
import { describe, expect, it } from "vitest";
import { lintSource } from "@secretlint/core";
import { creator as recommended, rules as recommendedRules } from "@secretlint/secretlint-rule-preset-recommend";
import type { SecretLintCoreConfig } from "@secretlint/types";
import { CONTEXTS, leaks, secretlintSamples, wardenSamples } from "@/test/secret-samples";
import { REDACTED, redactedJson, redactString } from "./redact";

const PRESET = "@secretlint/secretlint-rule-preset-recommend";
// Every detector on, the AWS key-id scan included (off by default in the preset).
const config: SecretLintCoreConfig = { rules: [{ id: PRESET, rule: recommended, rules: [{ id: "@secretlint/secretlint-rule-aws", options: { enableIDScanRule: true } }] }] };

// Some detectors only look at files of a kind (GCP: *.json; npm: package.json, .npmrc): each
// text is linted as each of them.
const FILE_PATHS = ["/virtual/tool-call.txt", "/virtual/tool-call.json", "/virtual/package.json", "/virtual/.npmrc"];

async function findings(content: string): Promise<{ ruleId: string; message: string }[]> {
  const out: { ruleId: string; message: string }[] = [];
  for (const filePath of FILE_PATHS) {
    const result = await lintSource({ source: { content, filePath, ext: path.extname(filePath) || path.basename(filePath), contentType: "text" }, options: { config, noPhysicFilePath: true } });
    out.push(...result.messages.map((m) => ({ ruleId: m.ruleId, message: m.message })));
  }
  return out;
}

const samples = secretlintSamples();

describe("redaction against secretlint's recommended preset", () => {
  it("has samples that the preset detects for every one of its detectors", async () => {
    // filter-comments reports nothing: it drops reports under "secretlint-disable" comments.
    const detectors = recommendedRules
      .map((r) => r.meta.id)
      .filter((id) => id !== "@secretlint/secretlint-rule-filter-comments")
      .sort();
    const hit = new Set<string>();
    for (const s of samples) {
      const ids = (await findings(s.text)).map((f) => f.ruleId);
      expect(ids, `${s.name}: ${s.text}`).toContain(s.secretlint);
      for (const id of ids) hit.add(id);
    }
    // A new rule in an upgraded preset fails here until it has a sample.
    expect(
      detectors.filter((id) => !hit.has(id)),
      "detectors without a sample",
    ).toEqual([]);
    expect(detectors.length).toBeGreaterThanOrEqual(14);
  });

  it.each(samples.map((s) => [s.name, s] as const))("redacts everything the preset detects: %s", async (_name, s) => {
    for (const [where, place] of CONTEXTS) {
      const content = place(s.text);
      const out = redactString(content);
      expect(leaks(out, s.secret), `${where}: ${out}`).toBe(false);
      // Whatever the preset still reports must be about the placeholder, not a secret.
      const left = (await findings(out)).filter((f) => !f.message.includes(REDACTED));
      expect(left, `${where}: ${out}`).toEqual([]);
      const value = { input: content, nested: [{ args: { text: `see ${content}` } }] };
      const json = redactedJson(value, JSON.stringify(value));
      expect(leaks(json, s.secret), `${where} (json): ${json}`).toBe(false);
    }
  });

  it.each(wardenSamples().map((s) => [s.name, s] as const))("redacts formats the preset does not cover: %s", (_name, s) => {
    for (const [where, place] of CONTEXTS) {
      const content = place(s.text);
      const out = redactString(content);
      expect(leaks(out, s.secret), `${where}: ${out}`).toBe(false);
      const value = { input: content, nested: [{ args: { text: `see ${content}` } }] };
      const json = redactedJson(value, JSON.stringify(value));
      expect(leaks(json, s.secret), `${where} (json): ${json}`).toBe(false);
    }
  });
});
