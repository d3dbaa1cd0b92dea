"use server";
import { serverAction } from "@/lib/action";
import { deleteModelPriceAction, deleteModelRuleAction, setModelPriceAction, setModelRuleAction } from "@/lib/model-usage/actions";

export const setModelPrice = serverAction(setModelPriceAction, { revalidate: "/spend/models" });
export const deleteModelPrice = serverAction(deleteModelPriceAction, { revalidate: "/spend/models" });
export const setModelRule = serverAction(setModelRuleAction, { revalidate: "/spend/models" });
export const deleteModelRule = serverAction(deleteModelRuleAction, { revalidate: "/spend/models" });
