import safeRegex from "safe-regex2";
import ret, { types, type Tokens } from "ret";

/** Bounds of a rule's parameter pattern (the plugin runs it on every matching call). */
export const MAX_PATTERN_LENGTH = 200;
const MAX_QUANTIFIERS = 20;
/** A quantifier allowing more repetitions than this counts as unbounded. */
const BOUNDED_MAX = 100;
/** The product of the ranges of the bounded quantifiers (how many ways they can split a text). */
const MAX_BOUNDED_PRODUCT = 1000;

/**
 * Why a parameter pattern is refused, or null when it is safe to run on the gateway: it must compile
 * as a JavaScript regular expression with the `u` flag (what the plugin uses), be at most
 * MAX_PATTERN_LENGTH characters, and be free of the constructs that make backtracking explode:
 * nested quantifiers (star height > 1, checked by safe-regex2), a quantified group holding an
 * alternation (`(a|a)*`), backreferences, and more than one unbounded quantifier (`.*.*x` is
 * star height 1 yet takes cubic time on a text without "x": 30 s for 4 KiB in V8). With one
 * unbounded quantifier the search is at worst quadratic, and the plugin tests at most 4 KiB of
 * text per value (a longer value is held for approval), so a rule costs milliseconds per call.
 */
export function patternProblem(pattern: string): string | null {
  if (pattern.length === 0) return "Required.";
  if (pattern.length > MAX_PATTERN_LENGTH) return `At most ${MAX_PATTERN_LENGTH} characters.`;
  try {
    new RegExp(pattern, "u");
  } catch (err) {
    return `Not a valid regular expression: ${(err as Error).message.slice(0, 200)}`;
  }
  let tree: Tokens;
  try {
    tree = ret(pattern);
  } catch {
    return "Not a regular expression Warden can check.";
  }
  let quantifiers = 0;
  let unbounded = 0;
  let product = 1;
  let problem: string | null = null;
  const walk = (t: Tokens, inRepetition: boolean) => {
    if (problem) return;
    switch (t.type) {
      case types.REPETITION:
        quantifiers++;
        if (typeof t.max !== "number" || !Number.isFinite(t.max) || t.max > BOUNDED_MAX) unbounded++;
        else product *= t.max - t.min + 1;
        walk(t.value, true);
        return;
      case types.REFERENCE:
        problem = "Backreferences (\\1) are not allowed.";
        return;
      case types.ROOT:
      case types.GROUP: {
        if (inRepetition && t.options && t.options.length > 1) problem = "A repeated group must not hold alternatives, e.g. write [ab]+ instead of (a|b)+.";
        for (const seq of t.options ?? [t.stack ?? []]) for (const x of seq) walk(x, inRepetition);
        return;
      }
      default:
        return;
    }
  };
  walk(tree, false);
  if (problem) return problem;
  if (quantifiers > MAX_QUANTIFIERS) return `At most ${MAX_QUANTIFIERS} quantifiers.`;
  if (unbounded > 1) return "At most one unbounded repetition (*, + or {n,}) per pattern: two or more take polynomial time, e.g. .*.*x.";
  if (product > MAX_BOUNDED_PRODUCT) return "The bounded repetitions ({n,m}) allow too many combinations: narrow them.";
  if (!safeRegex(pattern)) return "Nested quantifiers such as (a+)+ can take exponential time: simplify the pattern.";
  return null;
}
