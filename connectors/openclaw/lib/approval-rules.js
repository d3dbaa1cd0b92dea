// Which tool calls must wait for a person's approval: a pure function of (verified policy, local
// containment, call, clock), no I/O. It runs after decide() allowed the call. Sources, first match wins:
//  1. a `require_approval` containment of the tool (the local state's approvalTools, or the signed
//     policy's containment.approvalTools);
//  2. the rules Warden put on the agent's tool (policy agents[].tools[].approvals), each either
//     unconditional or with a match: a parameter (dotted path) whose text matches a pattern, or a URL
//     whose host is not on the agent's approved data flows (agents[].egressHosts).
// An approval grant ("allow this agent this tool for N minutes": policy agents[].approvalGrants, or a
// grant the plugin recorded from an approval_decision command) skips every source until its `until`,
// by this gateway's clock. Anything malformed in a rule makes the rule apply (fail closed).

export const DEFAULT_TIMEOUT_MS = 120_000;
export const MIN_TIMEOUT_MS = 10_000;
export const MAX_TIMEOUT_MS = 1_800_000;
/**
 * A parameter pattern is tested on at most this many characters per value (and 4 values' worth in
 * all); a longer value is held for approval (fail closed). Warden only accepts patterns with one
 * unbounded repetition, whose worst case is quadratic: a few milliseconds on 4 KiB.
 */
export const MAX_MATCH_TEXT = 4096;

const isObj = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
const own = (obj, key) => (isObj(obj) && typeof key === "string" && Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined);

/** A timeout within Warden's bounds (default 120 s, 10 s to 30 min). */
export function boundedTimeout(ms) {
  const n = Number(ms);
  if (!Number.isFinite(n)) return DEFAULT_TIMEOUT_MS;
  return Math.min(MAX_TIMEOUT_MS, Math.max(MIN_TIMEOUT_MS, Math.round(n)));
}

/** The value at a dotted path ("command", "options.url", "urls.0") of the params, own properties only. */
export function valueAt(params, path) {
  if (typeof path !== "string" || !path) return undefined;
  let v = params;
  for (const seg of path.split(".")) {
    if (Array.isArray(v) && /^\d+$/.test(seg)) v = v[Number(seg)];
    else if (isObj(v) && Object.prototype.hasOwnProperty.call(v, seg)) v = v[seg];
    else return undefined;
  }
  return v;
}

/** Every string in a value (depth- and count-bounded). */
function strings(value, out = [], depth = 0) {
  if (out.length >= 1000 || depth > 12) return out;
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) for (const v of value) strings(v, out, depth + 1);
  else if (isObj(value)) for (const v of Object.values(value)) strings(v, out, depth + 1);
  return out;
}

const URL_KEY = /^(url|uri|href|link|endpoint|target_?url|targetUrl)$/i;

/** Lower-case hosts of the URLs a call's params carry: any http(s)/ws(s) URL, and scheme-less values of url-like keys. */
export function urlHostsOf(params) {
  const hosts = new Set();
  const add = (text) => {
    try {
      const u = new URL(text);
      if (/^(https?|wss?):$/.test(u.protocol) && u.hostname) hosts.add(u.hostname.toLowerCase().replace(/^\[|\]$/g, "").replace(/\.$/, ""));
    } catch {
      // not a URL
    }
  };
  for (const s of strings(params)) {
    const t = s.trim();
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(t)) add(t);
    // URLs inside longer text (a shell command with curl, a message)
    for (const m of t.matchAll(/\b(?:https?|wss?):\/\/[^\s"'<>`]+/gi)) add(m[0]);
  }
  const visit = (v, depth) => {
    if (depth > 12) return;
    if (Array.isArray(v)) for (const x of v) visit(x, depth + 1);
    else if (isObj(v)) {
      for (const [k, x] of Object.entries(v)) {
        if (typeof x === "string" && URL_KEY.test(k) && !/^[a-z][a-z0-9+.-]*:/i.test(x.trim())) add(`http://${x.trim()}`);
        else visit(x, depth + 1);
      }
    }
  };
  visit(params, 0);
  return [...hosts];
}

/** Is `host` on the list (exact, or under a "*.example.com" entry)? */
export function hostApproved(host, approved) {
  if (!Array.isArray(approved)) return false;
  return approved.some((a) => {
    if (typeof a !== "string" || !a) return false;
    const entry = a.toLowerCase();
    if (entry.startsWith("*.")) return host.endsWith(entry.slice(1)) && host.length > entry.length - 1;
    return host === entry;
  });
}

const compiled = new Map();
function regexOf(pattern, flags) {
  const key = `${flags}/${pattern}`;
  if (!compiled.has(key)) {
    let re = null;
    try {
      re = new RegExp(pattern, flags);
    } catch {
      re = null;
    }
    if (compiled.size > 500) compiled.clear();
    compiled.set(key, re);
  }
  return compiled.get(key);
}

/** Does the rule's match hold for this call (true for a rule without match; true for a malformed one)? */
export function ruleMatches(rule, agent, params) {
  const m = rule?.match;
  if (m === undefined || m === null) return true;
  if (!isObj(m)) return true;
  if (m.egressNotApproved === true) {
    const hosts = urlHostsOf(params);
    return hosts.some((h) => !hostApproved(h, agent?.egressHosts));
  }
  if (typeof m.param === "string" && typeof m.pattern === "string") {
    const re = regexOf(m.pattern, m.ignoreCase === true ? "iu" : "u");
    if (!re) return true;
    const v = valueAt(params, m.param);
    if (v === undefined || v === null) return false;
    const texts = typeof v === "string" || typeof v === "number" || typeof v === "boolean" ? [String(v)] : strings(v);
    let budget = 4 * MAX_MATCH_TEXT;
    for (const t of texts) {
      budget -= t.length;
      if (t.length > MAX_MATCH_TEXT || budget < 0) return true;
      if (re.test(t)) return true;
    }
    return false;
  }
  return true;
}

function granted(policyAgent, local, agentId, toolName, now) {
  const live = (g) => isObj(g) && g.tool === toolName && typeof g.until === "string" && Date.parse(g.until) > now;
  if (Array.isArray(policyAgent?.approvalGrants) && policyAgent.approvalGrants.some(live)) return true;
  const ids = new Set([agentId, policyAgent?.id, policyAgent?.wardenId].filter((x) => typeof x === "string" && x));
  return Array.isArray(local?.approvalGrants) && local.approvalGrants.some((g) => live(g) && ids.has(g.agentId));
}

/**
 * @param policy the last verified policy (or null)
 * @param local  the local containment state ({ approvalTools?: {tool: reason}, approvalGrants?: [{agentId, tool, until}] })
 * @param call   { agentId, toolName, params }
 * @param now    ms since the epoch (the gateway's clock)
 * @returns null when the call may run without a person, else { ruleId, reason, timeoutMs }
 */
export function needsApproval(policy, local, call, now = Date.now()) {
  const agentId = call?.agentId;
  const toolName = call?.toolName;
  if (typeof toolName !== "string") return null;
  const agents = Array.isArray(policy?.agents) ? policy.agents : [];
  const agent = agents.find((a) => a?.id === agentId) ?? (agentId ? agents.find((a) => a?.wardenId === agentId) : undefined);
  if (granted(agent, local, agentId, toolName, now)) return null;

  const contained = own(local?.approvalTools, toolName) ?? own(policy?.containment?.approvalTools, toolName);
  if (contained !== undefined) return { ruleId: `containment:${toolName}`, reason: `requires approval: ${String(contained) || "containment"}`, timeoutMs: DEFAULT_TIMEOUT_MS };

  const tool = Array.isArray(agent?.tools) ? agent.tools.find((t) => t?.name === toolName) : undefined;
  const rules = Array.isArray(tool?.approvals) ? tool.approvals : [];
  for (const rule of rules) {
    if (!isObj(rule)) continue;
    if (ruleMatches(rule, agent, call.params)) {
      return { ruleId: typeof rule.ruleId === "string" ? rule.ruleId : "unknown", reason: typeof rule.reason === "string" && rule.reason ? rule.reason : "approval required", timeoutMs: boundedTimeout(rule.timeoutMs) };
    }
  }
  return null;
}
