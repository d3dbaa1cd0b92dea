import { z } from "zod";

/** Percentages of a daily budget at which the breaker fires, each at most once per UTC day. */
export const THRESHOLDS = [50, 75, 90, 100] as const;
export type Threshold = (typeof THRESHOLDS)[number];

/** What runs when a budget reaches 100 %. */
export const ON_LIMIT = ["notify", "suspend_agent", "block_fleet"] as const;
export type OnLimit = (typeof ON_LIMIT)[number];

export const ON_LIMIT_LABELS: Record<OnLimit, string> = {
  notify: "Notify only",
  suspend_agent: "Suspend the agent",
  block_fleet: "Block the whole fleet",
};

export const MAX_DAILY_USD = 1_000_000;

const ZId = z.uuid("Not a valid id.");

/** Dollars with at most 2 decimals, as a canonical string ("12.50") so no float reaches the database. */
const ZUsd = z
  .union([z.number(), z.string()], { error: "A number of dollars, e.g. 25 or 12.50." })
  .transform((v) => (typeof v === "string" ? v.trim().replace(/^\$/, "") : String(v)))
  .superRefine((s, ctx) => {
    const fail = (message: string) => ctx.addIssue({ code: "custom", message });
    if (s === "") return fail("Required.");
    if (!/^-?\d+(\.\d+)?$/.test(s)) return fail("A number of dollars, e.g. 25 or 12.50.");
    if (!(Number(s) > 0)) return fail("Must be more than $0.");
    if (Number(s) > MAX_DAILY_USD) return fail(`At most $${MAX_DAILY_USD.toLocaleString("en")} a day.`);
    if (!/^\d+(\.\d{1,2})?$/.test(s)) return fail("At most 2 decimals (cents).");
  })
  .transform((s) => {
    const [int, frac = ""] = s.split(".");
    return `${int.replace(/^0+(?=\d)/, "")}.${frac.padEnd(2, "0")}`;
  });

/** Checkbox or JSON boolean. */
const ZBool = z.preprocess((v) => (v === "on" || v === "true" ? true : v === "false" || v === "off" ? false : v), z.boolean({ error: "true or false." }));

/**
 * Set (create or replace) a budget: one per agent, and one for the fleet (agentId null). The fleet
 * budget cannot suspend "an agent": it notifies or blocks the fleet.
 */
export const ZBudgetSet = z
  .object({
    agentId: z.preprocess(
      (v) => (v === "" || v === "fleet" ? null : v),
      z.uuid({ error: (iss) => (iss.input === undefined ? "Required: an agent id, or null for the fleet budget." : "Not a valid id.") }).nullable(),
    ),
    dailyUsd: ZUsd,
    onLimit: z.enum(ON_LIMIT, { error: `One of: ${ON_LIMIT.join(", ")}.` }),
    enabled: ZBool.default(true),
  })
  .superRefine((v, ctx) => {
    if (v.agentId === null && v.onLimit === "suspend_agent") {
      ctx.addIssue({ code: "custom", path: ["onLimit"], message: "The fleet budget can notify or block the fleet, not suspend one agent." });
    }
  });
export type TBudgetSet = z.infer<typeof ZBudgetSet>;

export const ZBudgetDelete = z.object({ id: ZId });
export type TBudgetDelete = z.infer<typeof ZBudgetDelete>;
