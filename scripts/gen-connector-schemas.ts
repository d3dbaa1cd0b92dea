/**
 * Writes the JSON Schemas of the connector's request bodies to docs/schemas/ from the zod schemas
 * the routes use, so the published contract cannot drift from the code.
 * Run from the repository root: npx tsx --conditions=react-server scripts/gen-connector-schemas.ts
 */
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";

// The schema modules sit next to the database client, which needs a URL to load (never connects here).
process.env.DATABASE_URL ??= "postgresql://unused@localhost/unused";

async function main() {
  const { ZEventBatch, ZToolCallEvent } = await import("@/lib/tool-calls/ingest");
  const { ZInventory } = await import("@/lib/gateways/inventory");
  const { ZUsageBatch } = await import("@/lib/model-usage/schema");
  const out = path.resolve("docs", "schemas");
  fs.mkdirSync(out, { recursive: true });
  const schemas: [string, z.ZodType, string][] = [
    ["connector-event.schema.json", ZToolCallEvent, "One tool-call event"],
    ["connector-events.schema.json", ZEventBatch, "POST /api/v1/connector/events body"],
    ["connector-inventory.schema.json", ZInventory, "POST /api/v1/connector/inventory body"],
    ["connector-usage.schema.json", ZUsageBatch, "POST /api/v1/connector/usage body"],
  ];
  for (const [file, schema, title] of schemas) {
    // "input": what a gateway sends (before transforms such as lower-casing hashes).
    const json = { title, ...z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) };
    fs.writeFileSync(path.join(out, file), JSON.stringify(json, null, 2) + "\n");
    console.log(`wrote docs/schemas/${file}`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
