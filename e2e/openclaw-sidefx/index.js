// Test-only OpenClaw plugin (e2e/openclaw-parity.spec.ts): two catalog tools whose effect is a line
// appended to a file, so a test can tell a call that ran from one that did not. `delayMs` makes a
// tool slow (a flush of the Warden plugin then falls between the call's decision and its result).
import fs from "node:fs";
import path from "node:path";

const schema = { type: "object", properties: { text: { type: "string" }, delayMs: { type: "integer", minimum: 0, maximum: 10000 } }, required: ["text"], additionalProperties: false };

const plugin = {
  id: "sidefx",
  name: "Warden e2e side effects",
  description: "Test-only tools with file side effects",
  register(api) {
    const dir = api.pluginConfig?.dir;
    for (const name of ["fx_write", "fx_other"]) {
      api.registerTool({
        name,
        description: `Append a line of text to the ${name} file`,
        parameters: schema,
        async execute(_id, params) {
          if (params.delayMs) await new Promise((r) => setTimeout(r, params.delayMs));
          fs.appendFileSync(path.join(dir, `${name}.txt`), `${params.text}\n`);
          return { content: [{ type: "text", text: `wrote ${params.text}` }], details: { ok: true } };
        },
      });
    }
  },
};

export default plugin;
