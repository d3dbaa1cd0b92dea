/** The shapes the spend queries return, for components (which never import the queries themselves). */
export type { AlertListRow, AlertView, BudgetView, DayPoint, SpendOverview } from "./queries";
export type { AgentSpend30, GatewaySpendRow, ModelSpendRow } from "@/lib/model-usage/queries";
