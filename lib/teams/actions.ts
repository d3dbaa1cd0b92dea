import "server-only";
import { action } from "@/lib/action";
import { ZTeamAssign, ZTeamCreate, ZTeamDelete, ZTeamUpdate } from "./schema";
import { assignTeam, createTeam, deleteTeam, updateTeam } from "./service";

// Teams are fleet configuration: admins only (users:manage). Used by app/(console)/teams and /api/v1/teams.
export const createTeamAction = action({ name: "team.create", scope: "users:manage", schema: ZTeamCreate, run: createTeam });
export const updateTeamAction = action({ name: "team.update", scope: "users:manage", schema: ZTeamUpdate, run: updateTeam });
export const deleteTeamAction = action({ name: "team.delete", scope: "users:manage", schema: ZTeamDelete, run: deleteTeam });
export const assignTeamAction = action({ name: "team.assign", targetType: "team", scope: "users:manage", schema: ZTeamAssign, run: assignTeam });
