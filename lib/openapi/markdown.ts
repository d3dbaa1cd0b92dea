import type { Operation } from "./operation";
import { OPERATIONS } from "./routes";
import { authLabel } from "./spec";

export const BEGIN = "<!-- openapi:begin (generated from lib/openapi/routes.ts: do not edit by hand; UPDATE_API_DOCS=1 npx vitest run lib/openapi) -->";
export const END = "<!-- openapi:end -->";

const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\s+/g, " ").trim();

function line(op: Operation): string {
  const query = op.query?.length ? `?${op.query.map((q) => `${q}=`).join("&")}` : "";
  return `| \`${op.method} ${op.path}${query}\` | ${authLabel(op)} | ${cell(op.description)} |`;
}

/** The reference table of docs/api.md, grouped by the first path segment after /api/v1. */
export function apiReferenceMarkdown(ops: Operation[] = OPERATIONS): string {
  const groups = new Map<string, Operation[]>();
  for (const op of [...ops].sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method))) {
    const key = op.path.startsWith("/api/v1/") ? op.path.split("/")[3] : op.path.split("/")[2];
    groups.set(key, [...(groups.get(key) ?? []), op]);
  }
  const out = [BEGIN, ""];
  for (const [group, list] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
    out.push(`### ${group}`, "", "| operation | who may call it | what it does |", "| --- | --- | --- |", ...list.map(line), "");
  }
  out.push(END);
  return out.join("\n");
}

/** docs/api.md with its generated block replaced (appended when missing). */
export function withReference(doc: string, ops: Operation[] = OPERATIONS): string {
  const block = apiReferenceMarkdown(ops);
  const start = doc.indexOf(BEGIN);
  const end = doc.indexOf(END);
  if (start < 0 || end < start) return `${doc.trimEnd()}\n\n${block}\n`;
  return doc.slice(0, start) + block + doc.slice(end + END.length);
}
