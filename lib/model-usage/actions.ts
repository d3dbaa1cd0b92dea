import "server-only";
import { action } from "@/lib/action";
import { ZModelPriceDelete, ZModelPriceSet, ZModelRuleDelete, ZModelRuleSet } from "./schema";
import { deleteModelPrice, deleteModelRule, setModelPrice, setModelRule } from "./service";

// Each mutation defined once; used by app/(console)/spend/models/actions.ts.
// Prices are a setting of the installation (admins); the model policy is a trust decision (security leads and admins).
export const setModelPriceAction = action({ name: "model_price.set", scope: "settings:manage", schema: ZModelPriceSet, run: setModelPrice });
export const deleteModelPriceAction = action({ name: "model_price.delete", scope: "settings:manage", schema: ZModelPriceDelete, run: deleteModelPrice });
export const setModelRuleAction = action({ name: "model_rule.set", scope: "tools:decide", schema: ZModelRuleSet, run: setModelRule });
export const deleteModelRuleAction = action({ name: "model_rule.delete", scope: "tools:decide", schema: ZModelRuleDelete, run: deleteModelRule });
