"use server";
import { serverAction } from "@/lib/action";
import { createTokenAction, revokeTokenAction } from "@/lib/tokens/actions";

export const createToken = serverAction(createTokenAction, { revalidate: "/account" });
export const revokeToken = serverAction(revokeTokenAction, { revalidate: "/account" });
