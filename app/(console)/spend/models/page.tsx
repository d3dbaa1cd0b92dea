import type { Metadata } from "next";
import Link from "next/link";
import { requireScope } from "@/lib/auth/session";
import { can } from "@/lib/auth/roles";
import { listModelPrices, listModelRules } from "@/lib/model-usage/queries";
import { AGENT_SCOPES, MODEL_RULE_LABELS, SCOPE_LABELS } from "@/lib/model-usage/schema";
import { Card, EmptyState, PageHeader } from "@/components/ui/Card";
import { Badge } from "@/components/ui/Badge";
import { fmtDate } from "@/components/ui/format";
import { ModelPriceForm } from "@/components/spend/ModelPriceForm";
import { ModelRuleForm } from "@/components/spend/ModelRuleForm";
import { deleteModelPrice, deleteModelRule, setModelPrice, setModelRule } from "./actions";

export const metadata: Metadata = { title: "Model prices & policy" };

const usd = (v: string | null) => (v === null ? <span className="text-slate-500 dark:text-slate-400">as input</span> : `$${v}`);
const STATUS_TONE = { allowed: "green", weak: "amber", denied: "red" } as const;

export default async function ModelsPage() {
  const actor = await requireScope("dashboard:read", undefined, { fleetWide: true });
  const canPrice = can(actor.role, "settings:manage");
  const canPolicy = can(actor.role, "tools:decide");
  const [prices, rules] = await Promise.all([listModelPrices(), listModelRules()]);
  return (
    <>
      <PageHeader
        title="Model prices & policy"
        description="What a model call costs when the gateway does not say (USD per million tokens; admins edit, every change is audited), and which models agents of each scope may use (security leads). A call to a model outside the policy, or a fallback to a weaker model, becomes a finding."
        actions={
          <Link href="/spend" className="text-sm text-brand-600 hover:underline">
            Spend & budgets
          </Link>
        }
      />

      <h2 className="mb-3 text-lg font-semibold">Model prices</h2>
      <p className="mb-3 max-w-3xl text-sm text-slate-600 dark:text-slate-400">
        Calls reported without a cost are priced with the row of their provider and model (or of the model a dated snapshot belongs to) when they arrive; a model without a row is shown as{" "}
        <Badge tone="amber">unpriced</Badge>, never as $0. A changed price applies to calls arriving afterwards.
      </p>
      {prices.length ? (
        <table className="mb-6 w-full text-left text-sm">
          <caption className="sr-only">Model prices, USD per million tokens</caption>
          <thead>
            <tr className="border-b border-slate-200 dark:border-slate-800">
              <th className="py-2">Provider / model</th>
              <th>Input</th>
              <th>Output</th>
              <th>Cache read</th>
              <th>Cache write</th>
              <th>Source</th>
              <th>Updated</th>
              {canPrice && <th>Edit</th>}
            </tr>
          </thead>
          <tbody>
            {prices.map((p) => (
              <tr key={p.id} className="border-b border-slate-100 align-top dark:border-slate-800">
                <td className="py-2">
                  <code>
                    {p.provider}/{p.model}
                  </code>
                </td>
                <td className="tabular-nums">${p.inputUsdPerMTok}</td>
                <td className="tabular-nums">${p.outputUsdPerMTok}</td>
                <td className="tabular-nums">{usd(p.cacheReadUsdPerMTok)}</td>
                <td className="tabular-nums">{usd(p.cacheWriteUsdPerMTok)}</td>
                <td className="text-xs">{p.source || "—"}</td>
                <td className="whitespace-nowrap text-xs">{fmtDate(p.updatedAt)}</td>
                {canPrice && (
                  <td>
                    <details className="min-w-[18rem]">
                      <summary className="cursor-pointer text-sm text-brand-600 dark:text-brand-100">
                        Edit{" "}
                        <span className="sr-only">
                          {p.provider}/{p.model}
                        </span>
                      </summary>
                      <div className="mt-2">
                        <ModelPriceForm idPrefix={`price-${p.id}`} price={p} setAction={setModelPrice} deleteAction={deleteModelPrice} />
                      </div>
                    </details>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <EmptyState title="No model prices">Every model call without a cost from its gateway is unpriced until a price is added.</EmptyState>
      )}
      {canPrice && (
        <div className="mb-8 max-w-3xl">
          <Card title="Add a model price">
            <ModelPriceForm idPrefix="price-new" setAction={setModelPrice} />
          </Card>
        </div>
      )}

      <h2 className="mb-3 mt-8 text-lg font-semibold">Model policy</h2>
      <p className="mb-3 max-w-3xl text-sm text-slate-600 dark:text-slate-400">
        Rules per agent scope. The most specific matching rule decides (an exact model beats a pattern; a longer pattern beats a shorter one; on a tie the stricter rule). A scope with any allowed rule
        is an allowlist: other models are not allowed there. A fallback to a model marked weak, not allowed, or (without a rule) of a smaller family than the primary is a finding.
      </p>
      <div className="grid gap-6 xl:grid-cols-2">
        {AGENT_SCOPES.map((scope) => {
          const own = rules.filter((r) => r.scope === scope);
          return (
            <Card key={scope} title={SCOPE_LABELS[scope]}>
              {own.length ? (
                <ul className="space-y-3 text-sm">
                  {own.map((r) => (
                    <li key={r.id} className="rounded-md border border-slate-200 p-2 dark:border-slate-800">
                      <div className="flex flex-wrap items-center gap-2">
                        <code>{r.pattern}</code> <Badge tone={STATUS_TONE[r.status]}>{MODEL_RULE_LABELS[r.status]}</Badge>
                        {r.note && <span className="text-xs text-slate-600 dark:text-slate-400">{r.note}</span>}
                      </div>
                      {canPolicy && (
                        <details className="mt-2">
                          <summary className="cursor-pointer text-sm text-brand-600 dark:text-brand-100">
                            Edit{" "}
                            <span className="sr-only">
                              {r.pattern} ({scope})
                            </span>
                          </summary>
                          <div className="mt-2">
                            <ModelRuleForm idPrefix={`rule-${r.id}`} rule={r} setAction={setModelRule} deleteAction={deleteModelRule} />
                          </div>
                        </details>
                      )}
                    </li>
                  ))}
                </ul>
              ) : (
                <p className="text-sm text-slate-600 dark:text-slate-400">No rules: any model is allowed; only fallbacks to a smaller model family than the primary are findings.</p>
              )}
            </Card>
          );
        })}
      </div>
      {canPolicy && (
        <div className="mt-6 max-w-3xl">
          <Card title="Add a model rule">
            <ModelRuleForm idPrefix="rule-new" setAction={setModelRule} />
          </Card>
        </div>
      )}
    </>
  );
}
