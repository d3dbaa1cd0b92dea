import type { RoleName } from "./roles";
import { settings } from "@/lib/env";

/** Who is acting: carried into every service call and every audit event. */
export type Actor = {
  kind: "user" | "api_token" | "gateway" | "system";
  label: string;
  role: RoleName | null;
  userId?: string;
  tokenId?: string;
  /** The console session (user_sessions) of a signed-in user. */
  sessionId?: string;
  gatewayId?: string;
  /** The user's team (users.team_id) for users and their API tokens; see lib/teams/scope.ts. */
  teamId?: string | null;
  ip: string | null;
  userAgent: string | null;
};

export const SYSTEM_ACTOR: Actor = { kind: "system", label: "warden", role: null, ip: null, userAgent: null };

/** An actor for the admin CLI: the operating-system user at the terminal. */
export function cliActor(): Actor {
  return { kind: "system", label: `cli:${settings.osUser()}`, role: "admin", ip: null, userAgent: "warden-cli" };
}
