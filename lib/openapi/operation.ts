import type { z } from "zod";
import type { ActionDef } from "@/lib/action";
import type { Scope } from "@/lib/auth/roles";

/** Who may call an operation. A mutation's scope is never written here: it comes from its action. */
export type OperationAuth =
  | { kind: "scope"; scope: Scope }
  /** Any signed-in user or API token; the handler narrows further (stated in the description). */
  | { kind: "signed_in" }
  /** A gateway: the body signed with its secret (docs/connector-protocol.md). */
  | { kind: "gateway" }
  /** No credentials (health, public keys, sign-in). */
  | { kind: "public" };

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/**
 * One operation of the HTTP API. The test lib/openapi/routes.test.ts reads every app route file and
 * fails when a handler has no entry, an entry has no handler, or an entry's action / read scope is
 * not the one the handler uses: the reference is generated from these entries and the zod schemas
 * they point at, so it cannot drift from the code.
 */
export type Operation = {
  method: HttpMethod;
  /** The route path with `{param}` for a dynamic segment (`{param*}` for a catch-all). */
  path: string;
  /** The mutation's definition (scope, zod schema): the very object the handler runs. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any action, whatever its schema and result
  action?: ActionDef<z.ZodType, any>;
  /** For handlers that are not actions. */
  auth?: OperationAuth;
  /** A request body validated by this schema (non-action handlers: connector bodies). */
  body?: z.ZodType;
  /** Query parameter names the handler reads. */
  query?: string[];
  /** The success status when it is not 200. */
  status?: number;
  /** What the handler answers when it is not JSON. */
  produces?: string;
  description: string;
};

export const scope = (s: Scope): OperationAuth => ({ kind: "scope", scope: s });
export const GATEWAY: OperationAuth = { kind: "gateway" };
export const PUBLIC: OperationAuth = { kind: "public" };
export const SIGNED_IN: OperationAuth = { kind: "signed_in" };
