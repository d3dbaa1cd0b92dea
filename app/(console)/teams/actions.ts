"use server";
import { serverAction } from "@/lib/action";
import { assignTeamAction, createTeamAction, deleteTeamAction, updateTeamAction } from "@/lib/teams/actions";

// The same definitions as /api/v1/teams: session → scope (users:manage) → zod → service + audit.
export const createTeam = serverAction(createTeamAction, { revalidate: "/teams" });
export const updateTeam = serverAction(updateTeamAction, { revalidate: "/teams" });
export const deleteTeam = serverAction(deleteTeamAction, { revalidate: "/teams" });
export const assignTeam = serverAction(assignTeamAction, { revalidate: "/teams" });
