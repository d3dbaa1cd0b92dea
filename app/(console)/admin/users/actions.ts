"use server";
import { serverAction } from "@/lib/action";
import { createUserAction, resetUserPasswordAction, setUserDisabledAction, setUserRoleAction } from "@/lib/users/actions";
import { assignTeamAction } from "@/lib/teams/actions";

// Server actions are public endpoints: each runs the shared definition (session → scope → zod →
// service with its audit row) on the server, exactly like the /api/v1/users routes.
const revalidate = "/admin/users";
export const createUser = serverAction(createUserAction, { revalidate });
export const setUserRole = serverAction(setUserRoleAction, { revalidate });
export const setUserDisabled = serverAction(setUserDisabledAction, { revalidate });
export const resetUserPassword = serverAction(resetUserPasswordAction, { revalidate });
export const assignUserTeam = serverAction(assignTeamAction, { revalidate });
