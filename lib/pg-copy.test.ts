// COPY FROM STDIN through pg-copy-streams with Warden's text-format escaping, against the real
// Postgres of this test file: hostile strings go in and come back byte for byte.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyFrom, copyText, pgTextArray } from "./pg-copy";

let client: pg.Client;
beforeAll(async () => {
  client = new pg.Client({ connectionString: process.env.TEST_OWNER_DATABASE_URL });
  await client.connect();
  await client.query("create temp table copy_probe (id int primary key, t text, arr text[], n int)");
});
afterAll(async () => {
  await client?.end();
});

/** Values COPY's text format gives meaning to, and their neighbours. NUL is stripped before COPY (Postgres text cannot hold it). */
const HOSTILE = [
  "",
  "\t",
  "\n",
  "\r",
  "\r\n",
  "\\",
  "\\\\",
  "a\\",
  "\\N",
  "N",
  "NULL",
  "\\.",
  "\n\\.\n",
  ".",
  "\\t\\n\\r",
  "\\x41\\101\\u0041",
  "col1\tcol2\nrow2\tx",
  "quote \" and ' and ,",
  '{braces},{"x"}',
  "emoji 🛡️ ünïcödé 中文 \u202e rtl",
  "\u2028\u2029\u0085\u000b\u000c\u0001\u001f\u007f",
  "x".repeat(300 * 1024) + "\t\n\\" + "é".repeat(70 * 1024), // crosses the 256 KiB piece boundaries, mid-character too
];

async function roundTrip(rows: { id: number; t: string | null; arr: string[] }[]) {
  await client.query("truncate copy_probe");
  const text = rows.map((r) => [r.id, r.t, pgTextArray(r.arr), null].map(copyText).join("\t") + "\n").join("");
  const copied = await copyFrom(client, "COPY copy_probe (id, t, arr, n) FROM STDIN", text);
  const back = await client.query<{ id: number; t: string | null; arr: string[]; n: number | null }>("select id, t, arr, n from copy_probe order by id");
  return { copied, back: back.rows };
}

describe("copyFrom (pg-copy-streams) with copyText/pgTextArray", () => {
  it("round-trips hostile strings and arrays exactly (tabs, newlines, CR, backslashes, \\N, \\., quotes, braces, Unicode)", async () => {
    const rows: { id: number; t: string | null; arr: string[] }[] = HOSTILE.map((t, i) => ({ id: i, t, arr: [t, "NULL", "", t.slice(0, 50), "a,b", '"', "\\"] }));
    rows.push({ id: 1000, t: null, arr: [] });
    const { copied, back } = await roundTrip(rows);
    expect(copied).toBe(rows.length);
    expect(back).toHaveLength(rows.length);
    for (const [i, r] of rows.entries()) {
      expect(back[i].id).toBe(r.id);
      expect(back[i].t, JSON.stringify(r.t?.slice(0, 40))).toBe(r.t);
      expect(back[i].arr, JSON.stringify(r.t?.slice(0, 40))).toEqual(r.arr);
      expect(back[i].n).toBeNull();
    }
  });

  it("a lone UTF-16 surrogate is stored as U+FFFD, not rejected", async () => {
    const { back } = await roundTrip([{ id: 1, t: "a\ud800b", arr: ["\udfff"] }]);
    expect(back[0]).toMatchObject({ t: "a\ufffdb", arr: ["\ufffd"] });
  });

  it("streams an async source with back-pressure and counts its rows", async () => {
    await client.query("truncate copy_probe");
    async function* rows() {
      for (let i = 0; i < 20_000; i++) yield `${i}\t${copyText(`row\t${i}\\`)}\t{}\t${i}\n`;
    }
    expect(await copyFrom(client, "COPY copy_probe (id, t, arr, n) FROM STDIN", rows())).toBe(20_000);
    const {
      rows: [r],
    } = await client.query("select count(*)::int as c, max(n) as m, min(t) filter (where id = 7) as t7 from copy_probe");
    expect(r).toEqual({ c: 20_000, m: 19_999, t7: "row\t7\\" });
  });

  it("a failing COPY stores nothing, rejects with the server's error code, and the connection stays usable", async () => {
    await client.query("truncate copy_probe");
    await client.query("insert into copy_probe (id, t) values (5, 'kept')");
    const text = [1, 2, 5, 6].map((id) => `${id}\tnew\t{}\t\\N\n`).join("");
    await expect(copyFrom(client, "COPY copy_probe (id, t, arr, n) FROM STDIN", text)).rejects.toMatchObject({ code: "23505" });
    await expect(copyFrom(client, "COPY copy_probe (id, t, arr, n) FROM STDIN", "7\tbad\t{}\tnot-a-number\n")).rejects.toMatchObject({ code: "22P02" });
    const { rows } = await client.query("select id, t from copy_probe order by id");
    expect(rows).toEqual([{ id: 5, t: "kept" }]);
    expect(await copyFrom(client, "COPY copy_probe (id, t, arr, n) FROM STDIN", "8\tafter\t{}\t\\N\n")).toBe(1);
  });
});
