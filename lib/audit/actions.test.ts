import fs from "node:fs";
import path from "node:path";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it, vi } from "vitest";
import { db } from "@/lib/db";
import { bootstrap } from "@/lib/bootstrap";
import { SIGN_IN_ACTIONS } from "@/lib/evidence/ocsf";
import { AUDIT_ACTIONS, AUDIT_ACTION_GROUPS, AUDIT_ACTION_INFO, AUDIT_FILTER_VALUES, describeAuditAction, isAuditAction } from "./actions";
import { ZAuditFilter, listAuditEvents } from "./queries";

// The audit filter is a client component: give it a router outside Next.
vi.mock("next/navigation", () => ({ useRouter: () => ({ push: () => {} }) }));

const ROOT = path.resolve(__dirname, "../..");
const SOURCE_DIRS = ["lib", "app", "components", "scripts", "prisma", "bench"];

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== "generated" && e.name !== "node_modules" && e.name !== "migrations") out.push(...sourceFiles(p));
    } else if (/\.(ts|tsx|mjs)$/.test(e.name) && !/\.test\.ts$/.test(e.name)) out.push(p);
  }
  return out;
}

/** The text of a call's arguments: from its "(" to the matching ")", skipping string contents. */
function argumentsOf(text: string, open: number): string {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === '"' || c === "'" || c === "`") {
      for (i++; i < text.length && text[i] !== c; i++) if (text[i] === "\\") i++;
    } else if (c === "(" || c === "{" || c === "[") depth++;
    else if (c === ")" || c === "}" || c === "]") {
      if (--depth === 0) return text.slice(open, i + 1);
    }
  }
  return text.slice(open);
}

/**
 * Every string literal given as an audit action in the source: the `action:` of each recordAudit*
 * call and the `name:` of each action() definition (also written, as the denial's action).
 */
function writtenActions(): Map<string, string> {
  const found = new Map<string, string>();
  const files = [...SOURCE_DIRS.flatMap((d) => sourceFiles(path.join(ROOT, d))), path.join(ROOT, "instrumentation.ts")];
  for (const file of files) {
    const text = fs.readFileSync(file, "utf8");
    for (const call of text.matchAll(/recordAudit(?:Many|Standalone)?\(|\baction\(\{/g)) {
      const window = argumentsOf(text, call.index + call[0].indexOf("("));
      const key = call[0].startsWith("action") ? "name" : "action";
      for (const m of window.matchAll(new RegExp(`\\b${key}:\\s*([^,}\\n]+)`, "g"))) {
        // `cond ? "a" : "b"`: the literals after the "?" are the actions (the condition may hold others).
        const expr = m[1].includes("?") ? m[1].slice(m[1].indexOf("?")) : m[1];
        for (const lit of expr.matchAll(/"([^"]+)"/g)) found.set(lit[1], path.relative(ROOT, file));
        if (key === "name") break;
      }
    }
    // Raw inserts into the audit table would bypass recordAudit and its type.
    expect(/insert\s+into\s+audit_events/i.test(text), `${file} inserts into audit_events directly`).toBe(false);
  }
  return found;
}

const DOC = path.join(ROOT, "docs/audit.md");
const START = "<!-- audit-actions:start (generated from lib/audit/actions.ts: UPDATE_AUDIT_DOCS=1 npx vitest run lib/audit/actions.test.ts) -->";
const END = "<!-- audit-actions:end -->";
// Prettier would realign the table; the generator owns its layout.
const IGNORE_START = "<!-- prettier-ignore-start -->";
const IGNORE_END = "<!-- prettier-ignore-end -->";

/** The docs table: one row per action, grouped by category; denied reads summarised. */
function actionsMarkdown(): string {
  const rows = AUDIT_ACTION_GROUPS.filter((g) => g.category !== "read").flatMap((g) => g.actions.map((a) => `| \`${a}\` | ${g.category} | ${describeAuditAction(a)} |`));
  const reads = AUDIT_ACTION_GROUPS.find((g) => g.category === "read")?.actions ?? [];
  return [
    "| Action | Category | Meaning |",
    "|---|---|---|",
    ...rows,
    "",
    `Denied reads are audited as \`read:<what>\`, outcome \`denied\` (${reads.length} in all): ${reads.map((a) => `\`${a}\``).join(", ")}.`,
  ].join("\n");
}

describe("audit action vocabulary", () => {
  it("docs/audit.md lists exactly the vocabulary", () => {
    const doc = fs.readFileSync(DOC, "utf8");
    const block = `${START}\n${IGNORE_START}\n${actionsMarkdown()}\n${IGNORE_END}\n${END}`;
    const at = doc.indexOf(START.slice(0, 30));
    const end = doc.indexOf(END);
    if (process.env.UPDATE_AUDIT_DOCS) {
      const next = at >= 0 && end > at ? doc.slice(0, at) + block + doc.slice(end + END.length) : `${doc.trimEnd()}\n\n## Actions\n\n${block}\n`;
      fs.writeFileSync(DOC, next);
      return;
    }
    expect(at, "docs/audit.md has no generated actions table").toBeGreaterThanOrEqual(0);
    expect(doc.slice(at, end + END.length), "docs/audit.md is out of date: UPDATE_AUDIT_DOCS=1 npx vitest run lib/audit/actions.test.ts").toBe(block);
  });

  it("lists each action once, each with a description", () => {
    expect(new Set(AUDIT_ACTIONS).size).toBe(AUDIT_ACTIONS.length);
    for (const a of AUDIT_ACTIONS) expect(describeAuditAction(a)).not.toBe(a);
    for (const a of Object.keys(AUDIT_ACTION_INFO)) expect(a).toMatch(/^[a-z_]+\.[a-z_]+$/);
    for (const a of SIGN_IN_ACTIONS) expect(isAuditAction(a)).toBe(true);
    expect(isAuditAction("read:agents")).toBe(true);
    expect(isAuditAction("read:nonsense")).toBe(false);
    expect(isAuditAction("user.created")).toBe(false);
  });

  it("holds every action written anywhere in the source", () => {
    const found = writtenActions();
    // The scan sees the writers (guards against a scan that silently finds nothing).
    expect(found.size).toBeGreaterThan(80);
    const unknown = [...found].filter(([a]) => !isAuditAction(a)).map(([a, file]) => `${a} (${file})`);
    expect(unknown).toEqual([]);
  });

  it("holds every action the first-run bootstrap and the demo seed write", async () => {
    await bootstrap({ WARDEN_SEED: "demo", WARDEN_ADMIN_PASSWORD: "correct horse battery" });
    const rows = await db.$queryRaw<{ action: string }[]>`select distinct action from audit_events`;
    expect(rows.length).toBeGreaterThanOrEqual(2);
    expect(rows.map((r) => r.action).filter((a) => !isAuditAction(a))).toEqual([]);
  });

  it("the audit filter offers exactly the vocabulary, by category, and the query accepts only it", async () => {
    const { AuditFilters } = await import("@/components/audit/AuditFilters");
    const html = renderToStaticMarkup(createElement(AuditFilters, { initial: { q: "", outcome: "", actor: "", action: "" } }));
    const select = html.match(/<select[^>]*name="action"[^>]*>([\s\S]*?)<\/select>/)?.[1] ?? "";
    const values = [...select.matchAll(/<option[^>]*value="([^"]*)"/g)].map((m) => m[1]).filter(Boolean);
    expect(values.sort()).toEqual([...AUDIT_FILTER_VALUES].sort());
    const actionsOffered = values.filter((v) => !/[.:]$/.test(v));
    expect(actionsOffered.sort()).toEqual([...AUDIT_ACTIONS].sort());
    expect(AUDIT_ACTION_GROUPS.flatMap((g) => g.actions).length).toBe(AUDIT_ACTIONS.length);

    for (const v of AUDIT_FILTER_VALUES) expect(ZAuditFilter.safeParse({ action: v }).success).toBe(true);
    for (const bad of ["user", "user.created", "'; drop table audit_events; --", "%", "read:", "read:nonsense"].filter((b) => !AUDIT_FILTER_VALUES.includes(b))) {
      expect(ZAuditFilter.safeParse({ action: bad }).success, bad).toBe(false);
    }
  });

  it("filters one action exactly and a category by prefix", async () => {
    const seeded = await listAuditEvents(ZAuditFilter.parse({ action: "seed.demo_fleet" }));
    expect(seeded.events.map((e) => e.action)).toEqual(["seed.demo_fleet"]);
    const users = await listAuditEvents(ZAuditFilter.parse({ action: "user." }));
    expect(users.total).toBeGreaterThanOrEqual(1);
    expect(users.events.every((e) => e.action.startsWith("user."))).toBe(true);
  });
});
