import { z } from "zod";
import type { Operation } from "./operation";
import { OPERATIONS } from "./routes";
import { settings } from "@/lib/env";

type Json = Record<string, unknown>;

const ERROR_STATUSES: Record<string, string> = {
  "400": "Invalid input: `error.fieldErrors` names each bad field. Nothing changed.",
  "401": "Not signed in, no valid API token, or (gateway routes) a bad signature.",
  "403": "Signed in without the scope this operation needs (the refusal is audited).",
  "404": "No such object.",
  "409": "The state changed meanwhile (already decided, revoked, released…): nothing changed.",
  "429": "Too many requests (gateway routes: per gateway; sign-in: per account and address).",
};

/** A zod schema as a JSON Schema (2020-12, what OpenAPI 3.1 uses), as a client sends it. */
export function jsonSchemaOf(schema: z.ZodType, label: string): Json {
  try {
    const out = z.toJSONSchema(schema, { io: "input", unrepresentable: "any", target: "draft-2020-12" }) as Json;
    delete out.$schema;
    return out;
  } catch (err) {
    throw new Error(`OpenAPI: the schema of ${label} cannot be written as JSON Schema: ${(err as Error).message}`);
  }
}

/** The path parameters of a route path: `{id}` (and a catch-all `{rest*}`). */
export function pathParams(path: string): string[] {
  return [...path.matchAll(/\{(\w+)\*?\}/g)].map((m) => m[1]);
}

function withoutProperties(schema: Json, names: string[]): Json {
  const props = schema.properties as Record<string, unknown> | undefined;
  if (!props || !names.some((n) => n in props)) return schema;
  const properties = Object.fromEntries(Object.entries(props).filter(([k]) => !names.includes(k)));
  const required = Array.isArray(schema.required) ? (schema.required as string[]).filter((k) => !names.includes(k)) : undefined;
  return { ...schema, properties, ...(required ? { required } : {}) };
}

function security(op: Operation): Json[] | undefined {
  const auth = op.action ? { kind: "scope" as const, scope: op.action.scope } : op.auth;
  if (!auth || auth.kind === "public") return [];
  if (auth.kind === "gateway") return [{ gatewaySignature: [] }];
  return [{ session: [] }, { bearer: [] }];
}

export function scopeOf(op: Operation): string | null {
  if (op.action) return op.action.scope;
  return op.auth?.kind === "scope" ? op.auth.scope : null;
}

export function authLabel(op: Operation): string {
  const s = scopeOf(op);
  if (s) return `scope \`${s}\``;
  switch (op.auth?.kind) {
    case "gateway":
      return "gateway signature";
    case "signed_in":
      return "any signed-in user or token";
    default:
      return "none (public)";
  }
}

function operationObject(op: Operation): Json {
  const params = pathParams(op.path);
  const parameters: Json[] = params.map((name) => ({ name, in: "path", required: true, schema: { type: "string" } }));
  let requestBody: Json | undefined;
  const bodySchema = op.action?.schema ?? op.body;
  const label = `${op.method} ${op.path}`;
  if (bodySchema) {
    const schema = withoutProperties(jsonSchemaOf(bodySchema, label), params);
    if (op.method === "GET") {
      // An action read from the query string (e.g. the blast radius): its fields are query parameters.
      const props = (schema.properties ?? {}) as Record<string, Json>;
      const required = new Set((schema.required as string[] | undefined) ?? []);
      for (const [name, s] of Object.entries(props)) parameters.push({ name, in: "query", required: required.has(name), schema: s });
    } else {
      requestBody = { required: true, content: { "application/json": { schema } } };
    }
  }
  for (const name of op.query ?? []) {
    if (!parameters.some((p) => p.name === name)) parameters.push({ name, in: "query", required: false, schema: { type: "string" } });
  }
  const okStatus = String(op.status ?? 200);
  const responses: Json = {
    [okStatus]: { description: "Success.", content: { [op.produces ?? "application/json"]: { schema: {} } } },
  };
  const auth = security(op);
  for (const [status, description] of Object.entries(ERROR_STATUSES)) {
    if (auth && auth.length === 0 && (status === "401" || status === "403")) continue;
    responses[status] = { description, content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } };
  }
  const scope = scopeOf(op);
  return {
    operationId: `${op.method.toLowerCase()}${op.path
      .replace(/^\/api(\/v1)?/, "")
      .replace(/\{(\w+)\*?\}/g, "By_$1")
      .replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : ""))}`,
    summary: `${op.method} ${op.path}`,
    description: op.description + (scope ? `\n\nScope: \`${scope}\`.` : ""),
    tags: [op.path.split("/")[op.path.startsWith("/api/v1/") ? 3 : 2] ?? "api"],
    ...(parameters.length ? { parameters } : {}),
    ...(requestBody ? { requestBody } : {}),
    responses,
    ...(auth ? { security: auth } : {}),
    ...(scope ? { "x-warden-scope": scope } : {}),
    ...(op.action ? { "x-warden-audit-action": op.action.name } : {}),
  };
}

let cached: Json | null = null;

/** The OpenAPI 3.1 document of the API, generated from lib/openapi/routes.ts and its zod schemas. */
export function openApiDocument(version = settings.packageVersion()): Json {
  if (cached) return cached;
  const paths: Record<string, Json> = {};
  for (const op of OPERATIONS) {
    const item = (paths[op.path] ??= {});
    item[op.method.toLowerCase()] = operationObject(op);
  }
  cached = {
    openapi: "3.1.0",
    info: {
      title: "Warden API",
      version,
      description:
        "Warden's HTTP API: the console's own operations, available to API tokens, and the gateway connector protocol (docs/connector-protocol.md). Generated from the route registry and the zod schemas the handlers validate with.",
    },
    paths,
    components: {
      securitySchemes: {
        session: { type: "apiKey", in: "cookie", name: "next-auth.session-token", description: "A console session (`__Secure-next-auth.session-token` over HTTPS)." },
        bearer: { type: "http", scheme: "bearer", description: "An API token (`npm run warden -- token create`, or Settings → API tokens)." },
        gatewaySignature: {
          type: "apiKey",
          in: "header",
          name: "x-warden-gateway",
          description: "The gateway id; the body is signed with the gateway's secret (webhook-id, webhook-timestamp, webhook-signature headers): docs/connector-protocol.md.",
        },
      },
      schemas: {
        Error: {
          type: "object",
          required: ["error"],
          properties: {
            error: {
              type: "object",
              required: ["code", "message"],
              properties: { code: { type: "string" }, message: { type: "string" }, fieldErrors: { type: "object", additionalProperties: { type: "array", items: { type: "string" } } } },
            },
          },
        },
      },
    },
  };
  return cached;
}
