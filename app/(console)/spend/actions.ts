"use server";
import { serverAction } from "@/lib/action";
import { deleteBudgetAction, setBudgetAction } from "@/lib/spend/actions";

export const setBudget = serverAction(setBudgetAction, { revalidate: "/spend" });
export const deleteBudget = serverAction(deleteBudgetAction, { revalidate: "/spend" });
