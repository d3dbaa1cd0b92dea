// OpenClaw's Tool Search (on by default since tools.toolSearch is unset): catalog tools are called
// through the structured `tool_call` wrapper ({ id, args } or flattened { id, ...args }); OpenClaw
// then runs the named tool, whose own before_tool_call fires with toolCallId
// "tool_search_code:<wrapper call id>:<tool>:<n>" (verified on 2026.9.6). Warden decides on the tool
// the wrapper names, records one call, and fails closed on a wrapper it cannot read.

export const WRAPPER = "tool_call";
/** Tool Search's own controls: they list and describe the policy-filtered catalog, and the code
 * bridge runs each tool through before_tool_call again. They need no approval of their own. */
export const CONTROLS = new Set(["tool_search", "tool_describe", "tool_search_code"]);
const NOT_A_TARGET = new Set([WRAPPER, ...CONTROLS]);
const MAX_NAME = 200;
const plain = (v) => v !== null && typeof v === "object" && !Array.isArray(v) && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null);

/**
 * The call a `tool_call` wrapper asks for: { name, args } or { error } (the caller blocks it).
 * `id` is a tool name ("fx_write") or a catalog id ("openclaw:<owner>:<name>"); any other id (an
 * MCP or client id) is taken whole, so it is allowed only if exactly that name is approved.
 */
export function innerCall(params) {
  if (!plain(params)) return { error: "its arguments are not an object" };
  // (`name` beside `id` is a flattened argument of the tool; the tool's own hook decides again on
  // whatever OpenClaw finally runs.)
  const { id, args, ...rest } = params;
  if (typeof id !== "string") return { error: "it names no tool id" };
  if (!id || id.length > MAX_NAME || id !== id.trim() || /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(id)) return { error: "its tool id is not a valid name" };
  const m = /^openclaw:[^:]+:([^:]+)$/.exec(id);
  const target = m ? m[1] : id;
  if (NOT_A_TARGET.has(target) || NOT_A_TARGET.has(id)) return { error: `it wraps ${target} itself` };
  if (args !== undefined && args !== null && !plain(args)) return { error: "its args are not an object" };
  if (args !== undefined && args !== null && Object.keys(rest).length) return { error: "it mixes args with flattened arguments" };
  return { name: target, args: args ?? rest };
}

/** The wrapper call id inside an inner call's id ("tool_search_code:<id>:<tool>:<n>"), or undefined. */
export function wrapperIdOf(innerCallId, toolName) {
  if (typeof innerCallId !== "string" || typeof toolName !== "string") return undefined;
  const prefix = "tool_search_code:";
  if (!innerCallId.startsWith(prefix)) return undefined;
  const m = /:(\d+)$/.exec(innerCallId);
  if (!m) return undefined;
  const body = innerCallId.slice(prefix.length, innerCallId.length - m[0].length);
  return body.endsWith(`:${toolName}`) ? body.slice(0, -(toolName.length + 1)) || undefined : undefined;
}

/** after_tool_call errors of a call OpenClaw refused before running it (argument validation). */
export const REFUSED = /^(Invalid arguments for tool |Validation failed for tool |Tool \S+ not found|Unknown tool id: )/;
