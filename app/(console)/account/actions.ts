"use server";
import { revalidatePath } from "next/cache";
import { execute } from "@/lib/action";
import { getActor } from "@/lib/auth/session";
import { createTokenAction, revokeTokenAction } from "@/lib/tokens/actions";

export async function createToken(raw: unknown) {
  const res = await execute(await getActor(), createTokenAction, raw);
  if (res.ok) revalidatePath("/account");
  return res;
}

export async function revokeToken(raw: unknown) {
  const res = await execute(await getActor(), revokeTokenAction, raw);
  if (res.ok) revalidatePath("/account");
  return res;
}
