// The JSON Schemas published in docs/schemas/ are what the routes validate with: regenerate them
// (npx tsx --conditions=react-server scripts/gen-connector-schemas.ts) when a zod schema changes.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ZEventBatch, ZToolCallEvent } from "@/lib/tool-calls/ingest";
import { ZInventory } from "@/lib/gateways/inventory";
import { ZUsageBatch } from "@/lib/model-usage/schema";

const SCHEMAS: [string, z.ZodType][] = [
  ["connector-event.schema.json", ZToolCallEvent],
  ["connector-events.schema.json", ZEventBatch],
  ["connector-inventory.schema.json", ZInventory],
  ["connector-usage.schema.json", ZUsageBatch],
];

describe("published connector schemas", () => {
  it.each(SCHEMAS)("docs/schemas/%s matches the zod schema the route uses", (file, schema) => {
    const published = JSON.parse(fs.readFileSync(path.join("docs", "schemas", file), "utf8")) as Record<string, unknown>;
    delete published.title;
    expect(published).toEqual(JSON.parse(JSON.stringify(z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }))));
  });
});
