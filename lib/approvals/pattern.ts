import safeRegex from "safe-regex2";
import ret, { types, type Tokens } from "ret";

/** Bounds of a rule's parameter pattern (the plugin runs it on every matching call). */
export const MAX_PATTERN_LENGTH = 200;
const MAX_QUANTIFIERS = 20;

/**
 * Why a parameter pattern is refused, or null when it is safe to run on the gateway: it must compile
 * as a JavaScript regular expression with the `u` flag (what the plugin uses), be at most
 * MAX_PATTERN_LENGTH characters, and be free of the constructs that make backtracking explode:
 * nested quantifiers (star height > 1, checked by safe-regex2), a quantified group holding an
 * alternation (`(a|a)*`), and backreferences.
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
  let problem: string | null = null;
  const walk = (t: Tokens, inRepetition: boolean) => {
    if (problem) return;
    switch (t.type) {
      case types.REPETITION:
        quantifiers++;
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
  if (!safeRegex(pattern)) return "Nested quantifiers such as (a+)+ can take exponential time: simplify the pattern.";
  return null;
}
