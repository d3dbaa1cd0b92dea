import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Document, type Node } from "yaml";
import type { z } from "zod";
import { ZAgentBlock, ZIntegrationEntry, ZIntegrationList, ZToolEntry, ZToolList, type AgentsMdError, type TAgentBlock, type TIntegrationEntry, type TToolEntry } from "./schema";

/** Where a value was written in the whole AGENTS.md file (1-based). */
export type Loc = { line: number; column: number };

export type ParsedAgentsMd = {
  agent: (TAgentBlock & { loc: Loc; nameLoc: Loc }) | null;
  integrations: (TIntegrationEntry & { loc: Loc })[];
  tools: (TToolEntry & { loc: Loc; primaryLoc: Loc })[];
};

export type ParseResult = { ok: true; doc: ParsedAgentsMd } | { ok: false; errors: AgentsMdError[] };

/** A fenced ```yaml block: its text (lines kept verbatim) and the file line of its first line. */
type Block = { text: string; firstLine: number; fenceLine: number };

const FENCE = /^(\s*)(`{3,}|~{3,})(.*)$/;
const KNOWN_KEYS = ["agent", "integrations", "tools"] as const;

/** Split Markdown into its fenced ```yaml / ```yml blocks (other fences are skipped whole). */
export function extractYamlBlocks(markdown: string): { blocks: Block[]; errors: AgentsMdError[] } {
  const lines = markdown.split(/\r?\n/);
  const blocks: Block[] = [];
  const errors: AgentsMdError[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]);
    if (!open) continue;
    const fence = open[2];
    // A backtick fence's info string may not contain backticks (CommonMark): "```x```" is inline code.
    if (fence[0] === "`" && open[3].includes("`")) continue;
    const lang = open[3].trim().split(/\s+/)[0]?.toLowerCase() ?? "";
    let end = -1;
    for (let j = i + 1; j < lines.length; j++) {
      const close = FENCE.exec(lines[j]);
      if (close && close[2][0] === fence[0] && close[2].length >= fence.length && close[3].trim() === "") {
        end = j;
        break;
      }
    }
    const isYaml = lang === "yaml" || lang === "yml";
    if (end === -1) {
      if (isYaml) errors.push({ line: i + 1, path: "", message: `This \`\`\`${lang} block is never closed (add a line with ${fence}).` });
      break;
    }
    if (isYaml) blocks.push({ text: lines.slice(i + 1, end).join("\n") + "\n", firstLine: i + 2, fenceLine: i + 1 });
    i = end;
  }
  return { blocks, errors };
}

/** Turn a path like ["integrations", 0, "permissions"] into "integrations[0].permissions". */
function pathString(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, seg) => (typeof seg === "number" ? `${acc}[${seg}]` : acc ? `${acc}.${String(seg)}` : String(seg)), "");
}

/** One parsed block, able to locate any path of its YAML in the whole file. */
class YamlBlock {
  constructor(
    readonly doc: Document.Parsed,
    private readonly lc: LineCounter,
    private readonly firstLine: number,
  ) {}

  locOffset(offset: number): Loc {
    const { line, col } = this.lc.linePos(offset);
    return { line: this.firstLine + line - 1, column: col };
  }

  /**
   * The closest written position of a path: the value of the last key found (its key when the
   * value is a collection that starts on a later line), or the enclosing item when a key is missing.
   */
  locate(path: readonly PropertyKey[]): Loc {
    let node: unknown = this.doc.contents;
    let offset = (node as Node | null)?.range?.[0] ?? 0;
    for (const seg of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && p.key.value === seg);
        if (!pair) break;
        const keyOffset = isScalar(pair.key) ? (pair.key.range?.[0] ?? offset) : offset;
        node = pair.value;
        offset = isScalar(node) && node.range ? node.range[0] : keyOffset;
      } else if (isSeq(node) && typeof seg === "number" && node.items[seg] !== undefined) {
        node = node.items[seg];
        offset = (node as Node | null)?.range?.[0] ?? offset;
      } else break;
    }
    return this.locOffset(offset);
  }

  /** zod issues of the value at `prefix` → file-located errors. */
  issues(prefix: readonly PropertyKey[], error: z.ZodError): AgentsMdError[] {
    const out: AgentsMdError[] = [];
    for (const issue of error.issues) {
      const path = [...prefix, ...issue.path];
      if (issue.code === "unrecognized_keys") {
        for (const k of issue.keys) out.push({ ...this.locate([...path, k]), path: pathString([...path, k]), message: `Unknown field "${k}".` });
        continue;
      }
      out.push({ ...this.locate(path), path: pathString(path), message: issue.message });
    }
    return out;
  }
}

/**
 * Parse AGENTS.md: every fenced ```yaml block is read with the `yaml` package; `agent:`,
 * `integrations:` and `tools:` keys are validated with zod, and every problem (YAML syntax,
 * schema, cross-reference) is reported at its line in the whole file. Other keys and blocks are
 * left alone, so an AGENTS.md may carry more than Warden reads.
 */
export function parseAgentsMd(markdown: string): ParseResult {
  const { blocks, errors } = extractYamlBlocks(markdown);
  const out: ParsedAgentsMd = { agent: null, integrations: [], tools: [] };
  let sawKnownKey = false;
  // Names written under integrations:, valid or not (a bad entry should not also fail its tools entry).
  const declaredNames = new Set<string>();

  for (const block of blocks) {
    const lc = new LineCounter();
    const doc = parseDocument(block.text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true, version: "1.2" });
    const y = new YamlBlock(doc, lc, block.firstLine);
    if (doc.errors.length) {
      for (const e of doc.errors) errors.push({ ...y.locOffset(e.pos[0]), path: "", message: `YAML syntax: ${e.message}` });
      continue;
    }
    if (!isMap(doc.contents)) continue;
    let js: Record<string, unknown>;
    try {
      js = doc.toJS({ maxAliasCount: 50 }) as Record<string, unknown>;
    } catch (err) {
      errors.push({ line: block.firstLine, path: "", message: `YAML: ${(err as Error).message}` });
      continue;
    }
    for (const key of KNOWN_KEYS) {
      if (!(key in js)) continue;
      sawKnownKey = true;
      if (key === "agent") {
        const r = ZAgentBlock.safeParse(js.agent);
        if (!r.success) errors.push(...y.issues(["agent"], r.error));
        else if (out.agent) errors.push({ ...y.locate(["agent"]), path: "agent", message: `Only one agent: block is allowed (the first is on line ${out.agent.loc.line}).` });
        else out.agent = { ...r.data, loc: y.locate(["agent"]), nameLoc: y.locate(["agent", "name"]) };
      } else if (key === "integrations") {
        // Entries are checked one by one so that one bad entry does not hide the others.
        const list = ZIntegrationList.safeParse(js.integrations);
        if (!list.success) {
          errors.push(...y.issues(["integrations"], list.error));
          continue;
        }
        list.data.forEach((raw, i) => {
          const name = (raw as { name?: unknown } | null)?.name;
          if (typeof name === "string") declaredNames.add(name.trim());
          const r = ZIntegrationEntry.safeParse(raw);
          if (!r.success) errors.push(...y.issues(["integrations", i], r.error));
          else out.integrations.push({ ...r.data, loc: y.locate(["integrations", i, "name"]) });
        });
      } else {
        const list = ZToolList.safeParse(js.tools);
        if (!list.success) {
          errors.push(...y.issues(["tools"], list.error));
          continue;
        }
        list.data.forEach((raw, i) => {
          const r = ZToolEntry.safeParse(raw);
          if (!r.success) errors.push(...y.issues(["tools", i], r.error));
          else out.tools.push({ ...r.data, loc: y.locate(["tools", i, "id"]), primaryLoc: y.locate(["tools", i, "primary"]) });
        });
      }
    }
  }

  if (!sawKnownKey && errors.length === 0) {
    errors.push({ line: 1, path: "", message: "No ```yaml block with an agent:, integrations: or tools: key was found." });
  }
  errors.push(...crossCheck(out, declaredNames));
  if (errors.length) return { ok: false, errors: sortErrors(errors) };
  return { ok: true, doc: out };
}

/** References between blocks: unique names and ids, and every tools entry's primary names an integration of the file. */
function crossCheck(doc: ParsedAgentsMd, declaredNames: Set<string>): AgentsMdError[] {
  const errors: AgentsMdError[] = [];
  const byName = new Map<string, (typeof doc.integrations)[number]>();
  for (const i of doc.integrations) {
    const first = byName.get(i.name);
    if (first) errors.push({ ...i.loc, path: "integrations.name", message: `Integration "${i.name}" is listed twice (first on line ${first.loc.line}).` });
    else byName.set(i.name, i);
  }
  const ids = new Map<string, Loc>();
  const primaries = new Map<string, Loc>();
  for (const t of doc.tools) {
    const firstId = ids.get(t.id);
    if (firstId) errors.push({ ...t.loc, path: "tools.id", message: `Tool id "${t.id}" is listed twice (first on line ${firstId.line}).` });
    else ids.set(t.id, t.loc);
    if (!byName.has(t.primary)) {
      if (declaredNames.has(t.primary)) continue; // its integration entry already has an error
      const hint = doc.integrations.find((i) => i.provider.toLowerCase() === t.primary.toLowerCase());
      errors.push({
        ...t.primaryLoc,
        path: "tools.primary",
        message: `No integration named "${t.primary}" in this file: primary must be the name of an entry under integrations:${hint ? ` (did you mean "${hint.name}", whose provider is ${hint.provider}?)` : "."}`,
      });
      continue;
    }
    const firstPrimary = primaries.get(t.primary);
    if (firstPrimary) errors.push({ ...t.primaryLoc, path: "tools.primary", message: `Integration "${t.primary}" already has a degradation entry (line ${firstPrimary.line}); one per integration.` });
    else primaries.set(t.primary, t.primaryLoc);
  }
  return errors;
}

function sortErrors(errors: AgentsMdError[]): AgentsMdError[] {
  return [...errors].sort((a, b) => a.line - b.line || (a.column ?? 0) - (b.column ?? 0));
}
