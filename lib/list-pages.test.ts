// The seven list pages' shared query helpers (lib/list.ts) and the list APIs they link their CSV to,
// against a real Postgres: hostile params answer a 400 naming the param or fall back to a safe
// default, never a 500; search text matches literally; paging is stable; the CSV is the view.
import { describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { db } from "@/lib/db";
import type { Actor } from "@/lib/auth/actor";
import { makeGateway, rid } from "@/test/factories";
import { isFiltered, listFormat, listViewOf, parseListQuery, parseListRequest, viewParams } from "./list";
import { AppError } from "./errors";
import { HOSTILE_CELLS, csvColumn, expectSafeCsv, neutralised } from "@/test/csv";

const session = vi.hoisted(() => ({ actor: null as Actor | null }));
vi.mock("@/lib/auth/session", () => ({ getActor: async () => session.actor }));
session.actor = { kind: "user", userId: undefined, label: "auditor@test.local", role: "auditor", ip: "203.0.113.9", userAgent: "vitest" };

const ROUTES = {
  agents: () => import("@/app/api/v1/agents/route"),
  tools: () => import("@/app/api/v1/tools/route"),
  integrations: () => import("@/app/api/v1/integrations/route"),
  incidents: () => import("@/app/api/v1/incidents/route"),
  findings: () => import("@/app/api/v1/findings/route"),
  "data-flows": () => import("@/app/api/v1/data-flows/route"),
  playbooks: () => import("@/app/api/v1/playbooks/route"),
} as const;
type ListName = keyof typeof ROUTES;
const NAMES = Object.keys(ROUTES) as ListName[];

async function get(name: ListName, qs: string) {
  const { GET } = await ROUTES[name]();
  return GET(new Request(`http://warden.test/api/v1/${name}?${qs}`));
}

/** Params a page shows with a safe default (the API answers them with a 400 naming the param). */
const REFUSED: [string, string][] = [
  ["page=1e30", "page"],
  ["page=-1", "page"],
  ["page=0", "page"],
  ["page=abc", "page"],
  ["page=1.5", "page"],
  ["page=Infinity", "page"],
  ["pageSize=100000", "pageSize"],
  ["pageSize=0", "pageSize"],
  ["dir=sideways", "dir"],
  [`q=${"x".repeat(201)}`, "q"],
  ["format=xml", "format"],
  ["format=csv%27%3B", "format"],
];
/** Params that are ignored or matched literally: a 200. */
const HARMLESS = [
  "sort=password_hash",
  "sort=name%3BDROP%20TABLE%20agents",
  "sort=__proto__",
  "sort=constructor&dir=desc",
  "__proto__=1",
  "constructor=x",
  "q=%27%20OR%201%3D1%20--",
  "q=%25",
  "q=_",
  "q=%5C",
  "page=100000",
  "status=open&status=closed",
  "pageSize=200",
];

describe("list APIs under hostile params", () => {
  for (const name of NAMES) {
    it(`${name}: bad params are a 400 naming them, harmless ones a 200, never a 500`, async () => {
      for (const [qs, field] of REFUSED) {
        const res = await get(name, qs);
        expect(res.status, `${name}?${qs}`).toBe(400);
        const body = await res.json();
        expect(Object.keys(body.error?.fieldErrors ?? {}), `${name}?${qs}: ${JSON.stringify(body)}`).toContain(field);
      }
      for (const qs of HARMLESS) {
        const res = await get(name, qs);
        expect([200, 400], `${name}?${qs}`).toContain(res.status); // a status filter a list does not have is ignored; one it has is taken once
        if (qs.startsWith("sort=") || qs.startsWith("q=") || qs.startsWith("page=") || qs.startsWith("pageSize") || qs.includes("__proto__") || qs.startsWith("constructor"))
          expect(res.status, `${name}?${qs}`).toBe(200);
      }
      const nul = await get(name, "q=a%00b");
      expect(nul.status).toBe(400);
      const csv = await get(name, "format=csv&page=99999&pageSize=1");
      expect(csv.status).toBe(200);
      expect(csv.headers.get("content-type")).toMatch(/^text\/csv/);
    });
  }

  it("a page far past the end is an empty page with the true total, not an error", async () => {
    await db.agent.create({ data: { name: `far-${rid()}`, owner: "o", purpose: "p", gatewayId: (await makeGateway()).id } });
    const res = await get("agents", "page=100000&pageSize=200");
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.data).toEqual([]);
    expect(body.total).toBeGreaterThan(0);
    expect(body.page).toBe(100000);
  });
});

describe("search text matches literally (LIKE wildcards are not wildcards)", () => {
  it("%, _ and \\ in a search find only rows that contain them, on every list", async () => {
    const tag = rid();
    const gw = await makeGateway();
    const agent = await db.agent.create({ data: { name: `lit-${tag}`, owner: "o", purpose: "p", gatewayId: gw.id } });
    // For each list: one row whose searchable text holds the wildcard, one that a wildcard would also match.
    const literal = (s: string) => `${tag}${s}z`;
    for (const [i, s] of ["%", "_", "\\"].entries()) {
      const lit = literal(s);
      const other = `${tag}y${"q".repeat(i)}z`;
      await db.agent.createMany({ data: [lit, other].map((n) => ({ name: `a-${n}`, owner: "o", purpose: "p", gatewayId: gw.id })) });
      await db.tool.createMany({ data: [lit, other].map((n) => ({ name: `t-${n}`, kind: "tool" as const, source: "npm" as const, publisher: "p" })) });
      await db.integration.createMany({ data: [lit, other].map((n) => ({ name: `i-${n}`, provider: "p", reason: "r" })) });
      await db.incident.createMany({ data: [lit, other].map((n) => ({ title: `inc-${n}`, severity: "low" as const })) });
      await db.finding.createMany({ data: [lit, other].map((n) => ({ title: `f-${n}`, kind: "spike" as const, severity: "low" as const })) });
      await db.dataFlow.createMany({
        data: [lit, other].map((n, j) => ({ agentId: agent.id, service: `s-${n}`, host: `h${i}-${j}.example`, dataSent: "d", dataReceived: "d", classification: "internal" as const })),
      });
      await db.playbook.createMany({ data: [lit, other].map((n) => ({ name: `p-${n}`, trigger: "manual" as const })) });
    }
    for (const name of NAMES) {
      for (const s of ["%", "_", "\\"]) {
        const res = await get(name, `q=${encodeURIComponent(`${tag}${s}`)}&pageSize=200`);
        expect(res.status, `${name} q=${s}`).toBe(200);
        const body = await res.json();
        expect(body.total, `${name} q=${tag}${s}`).toBe(1);
      }
    }
  });
});

describe("paging is stable when the sort column has ties", () => {
  it("every row appears on exactly one page", async () => {
    const gw = await makeGateway();
    const owner = `tie-${rid()}`;
    await db.agent.createMany({ data: Array.from({ length: 40 }, (_, i) => ({ name: `${owner}-${String(i).padStart(2, "0")}-${rid()}`, owner, purpose: "p", gatewayId: gw.id })) });
    const seen: string[] = [];
    for (let page = 1; page <= 6; page++) {
      const body = await (await get("agents", `q=${owner}&sort=owner&pageSize=7&page=${page}`)).json();
      seen.push(...body.data.map((a: { id: string }) => a.id));
    }
    expect(seen).toHaveLength(40);
    expect(new Set(seen).size).toBe(40);
  });
});

describe("the CSV is the filtered view", () => {
  it("incidents, findings and playbooks export only the rows the filters keep", async () => {
    const tag = rid();
    await db.incident.createMany({
      data: [
        { title: `csv-${tag}-a`, severity: "critical" },
        { title: `csv-${tag}-b`, severity: "low" },
      ],
    });
    await db.finding.createMany({
      data: [
        { title: `csv-${tag}-a`, kind: "spike", severity: "critical" },
        { title: `csv-${tag}-b`, kind: "spike", severity: "low" },
      ],
    });
    await db.playbook.createMany({
      data: [
        { name: `csv-${tag}-a`, trigger: "manual" },
        { name: `csv-${tag}-b`, trigger: "hash_drift" },
      ],
    });
    const cases: [ListName, string][] = [
      ["incidents", "severity=critical"],
      ["findings", "severity=critical"],
      ["playbooks", "trigger=manual"],
    ];
    for (const [name, filter] of cases) {
      const res = await get(name, `q=csv-${tag}&${filter}&format=csv`);
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(text, name).toContain(`csv-${tag}-a`);
      expect(text, name).not.toContain(`csv-${tag}-b`);
      expect(text.split("\r\n").filter(Boolean)).toHaveLength(2);
    }
  });
});

describe("the new CSV exports are formula-safe", () => {
  it("incidents, findings and playbooks: every text cell quoted and neutralised", async () => {
    const tag = rid();
    const texts = HOSTILE_CELLS.map((cell) => `${cell}${tag}`);
    await db.incident.createMany({ data: texts.map((title) => ({ title, severity: "low" as const })) });
    await db.finding.createMany({ data: texts.map((title) => ({ title, kind: "spike" as const, severity: "low" as const })) });
    await db.playbook.createMany({ data: texts.map((name) => ({ name, trigger: "manual" as const })) });
    for (const [name, column] of [
      ["incidents", "title"],
      ["findings", "title"],
      ["playbooks", "name"],
    ] as const) {
      const res = await get(name, `q=${tag}&format=csv`);
      expect(res.status).toBe(200);
      const rows = expectSafeCsv(await res.text());
      expect(csvColumn(rows, column).sort(), name).toEqual(texts.map(neutralised).sort());
    }
  });
});

describe("view params", () => {
  const F = { status: z.enum(["open", "closed"]).optional(), agent: z.string().trim().max(20).optional() };

  it("keep only valid values, drop the page, and say whether the view is filtered", () => {
    const parsed = parseListQuery(new URLSearchParams("q=mail&status=bogus&page=3&sort=name&dir=desc&agent=%3Cscript%3E"), F);
    expect(parsed.invalid).toEqual(["status"]);
    const params = viewParams(parsed.query);
    expect(Object.fromEntries(params)).toEqual({ q: "mail", sort: "name", dir: "desc", agent: "<script>" });
    expect(params.toString()).toContain("agent=%3Cscript%3E");
    expect(isFiltered(parsed.query)).toBe(true);
    expect(isFiltered(parseListQuery(new URLSearchParams("sort=name&dir=desc&page=2&pageSize=50"), F).query)).toBe(false);
    expect(viewParams(parseListQuery(new URLSearchParams("pageSize=50"), F).query).get("pageSize")).toBe("50");
    const view = listViewOf(parsed, { total: 3, page: 3, pageSize: 25 });
    expect(view).toMatchObject({ invalid: ["status"], filtered: true, page: 3 });
  });

  it("a hostile page is dropped to page 1 on a page and named", () => {
    for (const bad of ["1e30", "-5", "0", "NaN", "2.5", "0x", " ", "9".repeat(400)]) {
      const { query, invalid } = parseListQuery(new URLSearchParams({ page: bad }));
      expect(query.page, bad).toBe(1);
      if (bad.trim()) expect(invalid, bad).toEqual(["page"]);
    }
    const arr = parseListQuery({ status: ["open", "closed"], page: ["2", "9"] }, F);
    expect(arr.query).toMatchObject({ status: "open", page: 2 });
  });

  it("the format is json or csv; anything else is a 400 from the API", () => {
    expect(listFormat(new URLSearchParams(""))).toBe("json");
    expect(listFormat(new URLSearchParams("format=csv"))).toBe("csv");
    expect(listFormat(new URLSearchParams("format=CSV"))).toBeNull();
    const parse = (p: URLSearchParams) => parseListQuery(p, F);
    expect(parseListRequest(new URLSearchParams("format=csv&status=open"), parse)).toMatchObject({ format: "csv", query: { status: "open" } });
    expect(() => parseListRequest(new URLSearchParams("format=xlsx"), parse)).toThrow(AppError);
    try {
      parseListRequest(new URLSearchParams("status=nope&page=-1"), parse);
      expect.unreachable();
    } catch (err) {
      expect((err as AppError).fieldErrors).toEqual({ status: ["Invalid value."], page: ["Invalid value."] });
    }
  });
});
