import { isWeakModel } from "@/lib/agents/posture";
import type { ModelRuleStatusName } from "./schema";

/**
 * Model policy matching (pure; documented in docs/model-usage.md).
 *
 * A rule's pattern is "provider/model", lower-case, where `*` stands for any run of characters
 * (slashes included). A model is written "provider/model" the same way (a model id that already
 * starts with "<provider>/" is not prefixed twice). Of the rules of the agent's scope that match:
 * a pattern without `*` beats every pattern with one; then the pattern with more literal
 * characters wins; a tie goes to the strictest status (denied, then weak, then allowed).
 * A scope with at least one `allowed` or `weak` rule is an allowlist: a model no rule matches is
 * not allowed there. A scope with only `denied` rules (or none) allows every model it does not deny.
 */
export type ModelRuleLike = { scope: string; pattern: string; status: ModelRuleStatusName };
export type ModelVerdict = { status: "allowed" | "weak" | "denied"; rule: string } | { status: "unlisted"; rule: null } | { status: "no_policy"; rule: null };

const STRICTNESS: Record<ModelRuleStatusName, number> = { denied: 3, weak: 2, allowed: 1 };

/** "provider/model", lower-case. */
export function modelKey(provider: string, model: string): string {
  const p = provider.trim().toLowerCase();
  const m = model.trim().toLowerCase();
  return m.startsWith(`${p}/`) ? m : `${p}/${m}`;
}

/** Does a `*` pattern match the whole of `key`? (Iterative glob: no regex built from input.) */
export function globMatch(pattern: string, key: string): boolean {
  let p = 0;
  let k = 0;
  let star = -1;
  let mark = 0;
  while (k < key.length) {
    if (p < pattern.length && pattern[p] !== "*" && pattern[p] === key[k]) {
      p++;
      k++;
    } else if (p < pattern.length && pattern[p] === "*") {
      star = p++;
      mark = k;
    } else if (star !== -1) {
      p = star + 1;
      k = ++mark;
    } else return false;
  }
  while (p < pattern.length && pattern[p] === "*") p++;
  return p === pattern.length;
}

/** The policy's verdict on a model ("provider/model") for agents of `scope`. */
export function verdictFor(rules: ModelRuleLike[], scope: string, key: string): ModelVerdict {
  const own = rules.filter((r) => r.scope === scope);
  let best: ModelRuleLike | null = null;
  const rank = (r: ModelRuleLike) => [r.pattern.includes("*") ? 0 : 1, r.pattern.replaceAll("*", "").length, STRICTNESS[r.status]];
  for (const r of own) {
    if (!globMatch(r.pattern, key)) continue;
    if (!best) {
      best = r;
      continue;
    }
    const [a, b] = [rank(r), rank(best)];
    if (a[0] > b[0] || (a[0] === b[0] && (a[1] > b[1] || (a[1] === b[1] && a[2] > b[2])))) best = r;
  }
  if (best) return { status: best.status, rule: best.pattern };
  return own.some((r) => r.status !== "denied") ? { status: "unlisted", rule: null } : { status: "no_policy", rule: null };
}

export type ModelJudgement = { notAllowed: boolean; weakFallback: boolean; verdict: ModelVerdict; why: string[] };

/**
 * Judge what an agent of `scope` ran: `key` is the model answering; `fallback` whether any of
 * those calls was a fallback, with the primary the gateway reported. Seed 001 §5: a fallback to a
 * weaker model is the window an attacker uses. A fallback is "to a weaker model" when the policy
 * does not allow it for the scope, when the policy marks it weak, or, when no rule speaks about it,
 * when it belongs to a small model family (lib/agents/posture isWeakModel) and the primary does not.
 */
export function judgeModel(rules: ModelRuleLike[], scope: string, key: string, fallback: { used: boolean; primary: string | null }): ModelJudgement {
  const verdict = verdictFor(rules, scope, key);
  const why: string[] = [];
  const notAllowed = verdict.status === "denied" || verdict.status === "unlisted";
  if (verdict.status === "denied") why.push(`the model policy does not allow ${verdict.rule} for ${scope} agents`);
  if (verdict.status === "unlisted") why.push(`no rule of the ${scope} model policy allows it`);
  let weakFallback = false;
  if (fallback.used) {
    if (notAllowed) weakFallback = true;
    else if (verdict.status === "weak") {
      weakFallback = true;
      why.push(`the model policy marks ${verdict.rule} as weak`);
    } else if (verdict.status === "no_policy" && isWeakModel(key) && !(fallback.primary && isWeakModel(fallback.primary))) {
      weakFallback = true;
      why.push(`it is a smaller model family than the primary${fallback.primary ? ` ${fallback.primary}` : ""}`);
    }
  }
  return { notAllowed, weakFallback, verdict, why };
}
