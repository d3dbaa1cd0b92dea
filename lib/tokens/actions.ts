import "server-only";
import { action } from "@/lib/action";
import { ZTokenCreate, ZTokenRevoke } from "./schema";
import { createApiToken, revokeApiToken } from "./service";

export const createTokenAction = action({ name: "token.create", scope: "tokens:own", schema: ZTokenCreate, run: (a, i) => createApiToken(a, i) });
export const revokeTokenAction = action({ name: "token.revoke", scope: "tokens:own", schema: ZTokenRevoke, run: revokeApiToken });
