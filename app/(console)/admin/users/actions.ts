"use server";
import { revalidatePath } from "next/cache";
import { execute } from "@/lib/action";
import { getActor } from "@/lib/auth/session";
import { createUserAction, resetUserPasswordAction, setUserDisabledAction, setUserRoleAction } from "@/lib/users/actions";

// Server actions are public endpoints: each one resolves the session and runs the shared
// definition (scope check → zod → service with its audit row) inside execute().

export async function createUser(raw: unknown) {
  const res = await execute(await getActor(), createUserAction, raw);
  if (res.ok) revalidatePath("/admin/users");
  return res;
}

export async function setUserRole(raw: unknown) {
  const res = await execute(await getActor(), setUserRoleAction, raw);
  if (res.ok) revalidatePath("/admin/users");
  return res;
}

export async function setUserDisabled(raw: unknown) {
  const res = await execute(await getActor(), setUserDisabledAction, raw);
  if (res.ok) revalidatePath("/admin/users");
  return res;
}

export async function resetUserPassword(raw: unknown) {
  const res = await execute(await getActor(), resetUserPasswordAction, raw);
  if (res.ok) revalidatePath("/admin/users");
  return res;
}
