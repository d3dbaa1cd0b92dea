import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { GET as openApiRoute } from "@/app/api/v1/openapi.json/route";
import { withReference } from "./markdown";
import type { Operation } from "./operation";
import { OPERATIONS } from "./routes";
import { openApiDocument, pathParams } from "./spec";

const ROOT = path.resolve(__dirname, "..", "..");
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

type Handler = { method: string; path: string; file: string; body: string; imports: Map<string, string> };

function routeFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return routeFiles(p);
    return e.name === "route.ts" ? [p] : [];
  });
}

/** Every handler the app serves under app/api, read from the route files themselves. */
function handlers(): Handler[] {
  const out: Handler[] = [];
  for (const file of routeFiles(path.join(ROOT, "app", "api"))) {
    const rel = path.relative(path.join(ROOT, "app"), path.dirname(file)).split(path.sep).join("/");
    const routePath = `/${rel}`.replace(/\[\.\.\.(\w+)\]/g, "{$1*}").replace(/\[(\w+)\]/g, "{$1}");
    const src = fs.readFileSync(file, "utf8");
    const imports = new Map<string, string>();
    for (const m of src.matchAll(/import\s*\{([^}]*)\}\s*from\s*"([^"]+)"/g)) {
      for (const part of m[1].split(",")) {
        const [orig, alias] = part.trim().split(/\s+as\s+/);
        if (orig) imports.set((alias ?? orig).trim(), `${m[2]}#${orig.trim()}`);
      }
    }
    const starts = [...src.matchAll(/export\s+(?:async\s+)?function\s+(GET|POST|PUT|PATCH|DELETE)\b|export\s+const\s+(GET|POST|PUT|PATCH|DELETE)\s*=/g)];
    starts.forEach((m, i) => {
      const end = i + 1 < starts.length ? starts[i + 1].index : src.length;
      out.push({ method: m[1] ?? m[2], path: routePath, file: path.relative(ROOT, file), body: src.slice(m.index, end), imports });
    });
    for (const m of src.matchAll(/export\s*\{([^}]*)\}/g)) {
      for (const part of m[1].split(",")) {
        const alias = part
          .trim()
          .split(/\s+as\s+/)[1]
          ?.trim();
        if (alias && (METHODS as readonly string[]).includes(alias)) out.push({ method: alias, path: routePath, file: path.relative(ROOT, file), body: src, imports });
      }
    }
  }
  return out;
}

/** The value an identifier imported by a route file is bound to (the module loaded through vite, like the app). */
async function resolveImport(h: Handler, name: string): Promise<unknown> {
  const from = h.imports.get(name);
  if (!from) return undefined;
  const [mod, orig] = from.split("#");
  if (!mod.startsWith("@/")) return undefined;
  const loaded = (await import(/* @vite-ignore */ path.join(ROOT, mod.slice(2)))) as Record<string, unknown>;
  return loaded[orig];
}

const key = (o: { method: string; path: string }) => `${o.method} ${o.path}`;
const entryOf = (h: Handler) => OPERATIONS.find((o) => key(o) === key(h));

describe("the API reference covers every route, from the code", () => {
  const all = handlers();

  it("finds the route handlers (the reader of route files works)", () => {
    expect(all.length).toBeGreaterThan(100);
    expect(all.map(key)).toContain("POST /api/v1/containment");
    expect(all.map(key)).toContain("GET /api/auth/{nextauth*}");
  });

  it("every handler has exactly one entry, and every entry a handler", () => {
    const missing = all.filter((h) => !entryOf(h)).map((h) => `${key(h)} (${h.file})`);
    expect(missing, "route handlers with no entry in lib/openapi/routes.ts").toEqual([]);
    const served = new Set(all.map(key));
    expect(OPERATIONS.filter((o) => !served.has(key(o))).map(key), "entries with no route handler").toEqual([]);
    const seen = new Set<string>();
    const dupes = OPERATIONS.map(key).filter((k) => (seen.has(k) ? true : (seen.add(k), false)));
    expect(dupes, "operations listed twice").toEqual([]);
  });

  it("an entry names the very action, read scope and body schema its handler uses", async () => {
    const wrong: string[] = [];
    for (const h of all) {
      const op = entryOf(h) as Operation;
      const action = /(?:runApiAction|execute)\((?:req|await getActor\(\)|[^,()]+(?:\(\))?),\s*(\w+)/.exec(h.body)?.[1];
      if (action) {
        const def = await resolveImport(h, action);
        if (!def) wrong.push(`${key(h)}: cannot resolve its action ${action}`);
        else if (op.action !== def) wrong.push(`${key(h)}: the handler runs ${action}, the entry names ${op.action?.name ?? "no action"}`);
        continue;
      }
      if (op.action) wrong.push(`${key(h)}: the entry names action ${op.action.name}, the handler runs none`);
      const read = /runApiRead\(\s*(?:"([^"]+)"|(\w+))/.exec(h.body);
      if (read) {
        const scope = read[1] ?? (await resolveImport(h, read[2]));
        if (op.auth?.kind !== "scope" || op.auth.scope !== scope) wrong.push(`${key(h)}: the handler reads with scope ${String(scope)}, the entry says ${JSON.stringify(op.auth)}`);
      }
      if (/authenticateGateway|authenticateOtlpRequest/.test(h.body) && op.auth?.kind !== "gateway") wrong.push(`${key(h)}: a gateway-signed handler, the entry says ${JSON.stringify(op.auth)}`);
      if (!action && !read && !/authenticateGateway|authenticateOtlpRequest/.test(h.body) && !op.auth) wrong.push(`${key(h)}: the entry says nothing about who may call it`);
      const bodySchema = /parseConnectorBody\([^,]+,\s*(\w+)\)/.exec(h.body)?.[1] ?? /(\w+)\.safeParse\(await readJson\(/.exec(h.body)?.[1];
      if (bodySchema && op.body !== (await resolveImport(h, bodySchema))) wrong.push(`${key(h)}: the handler validates its body with ${bodySchema}, the entry has another schema`);
    }
    expect(wrong).toEqual([]);
  });

  it("the OpenAPI 3.1 document has every operation, its path parameters, scope and request schema", async () => {
    const doc = openApiDocument() as {
      openapi: string;
      paths: Record<
        string,
        Record<
          string,
          {
            operationId: string;
            parameters?: { name: string; in: string }[];
            requestBody?: { content: Record<string, { schema: { properties?: Record<string, unknown> } }> };
            "x-warden-scope"?: string;
          }
        >
      >;
    };
    expect(doc.openapi).toBe("3.1.0");
    const ids = new Set<string>();
    for (const op of OPERATIONS) {
      const o = doc.paths[op.path]?.[op.method.toLowerCase()];
      expect(o, key(op)).toBeTruthy();
      expect(ids.has(o.operationId), `operationId ${o.operationId} unique`).toBe(false);
      ids.add(o.operationId);
      for (const p of pathParams(op.path))
        expect(
          o.parameters?.some((x) => x.name === p && x.in === "path"),
          `${key(op)} path parameter ${p}`,
        ).toBe(true);
      if (op.action) expect(o["x-warden-scope"]).toBe(op.action.scope);
    }
    // A mutation's body schema is its action's zod schema (the path's id comes from the path).
    const contain = doc.paths["/api/v1/containment"].post.requestBody!.content["application/json"].schema;
    expect(Object.keys(contain.properties ?? {})).toEqual(expect.arrayContaining(["scope", "target", "action", "reason"]));
    const revoke = doc.paths["/api/v1/trust-decisions/{id}/revoke"].post;
    expect(revoke.requestBody!.content["application/json"].schema.properties).not.toHaveProperty("id");
    // Served as JSON by the app, without credentials.
    const res = openApiRoute();
    expect(res.status).toBe(200);
    expect((await res.json()).paths["/api/v1/containment"].post["x-warden-scope"]).toBe("containment:execute");
  });

  it("docs/api.md carries the generated reference (UPDATE_API_DOCS=1 rewrites it)", () => {
    const file = path.join(ROOT, "docs", "api.md");
    const doc = fs.readFileSync(file, "utf8");
    const fresh = withReference(doc);
    if (process.env.UPDATE_API_DOCS === "1") fs.writeFileSync(file, fresh);
    else expect(doc, "docs/api.md is stale: run UPDATE_API_DOCS=1 npx vitest run lib/openapi").toBe(fresh);
  });
});
