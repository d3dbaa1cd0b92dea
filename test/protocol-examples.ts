// The code blocks of docs/connector-protocol.md, each with the `<!-- example … -->` comment that
// precedes it (which endpoint, request or response, the documented status). Shared by the Vitest
// suite (lib/connector/protocol-doc.test.ts) and the e2e spec (e2e/protocol-examples.spec.ts).
import fs from "node:fs";
import path from "node:path";

export type DocExample = {
  line: number;
  lang: string;
  role: "request" | "response" | "illustration";
  method?: string;
  path?: string;
  status?: number;
  /** The JSON text as written (for a curl example: the `-d '…'` body). */
  json?: string;
};

const ANNOTATION = /^<!-- example (request|response|illustration): ?(.*?) -->$/;

/** Every fenced code block of the protocol doc, with its annotation (null when it has none). */
export function protocolDocBlocks(root = process.cwd()): (DocExample | { line: number; lang: string; role: null })[] {
  const lines = fs.readFileSync(path.join(root, "docs/connector-protocol.md"), "utf8").split("\n");
  const out: (DocExample | { line: number; lang: string; role: null })[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w*)\s*$/.exec(lines[i]);
    if (!open) continue;
    let end = i + 1;
    while (end < lines.length && lines[end] !== "```") end++;
    const text = lines.slice(i + 1, end).join("\n");
    // The annotation is the nearest non-blank line above the fence (a formatter may put a blank line between).
    let above = i - 1;
    while (above >= 0 && lines[above].trim() === "") above--;
    const note = ANNOTATION.exec(lines[above] ?? "");
    const lang = open[1];
    if (!note) out.push({ line: i + 1, lang, role: null });
    else {
      const role = note[1] as DocExample["role"];
      const m = /^(GET|POST) (\S+)(?: (\d{3}))?$/.exec(note[2]);
      const json = lang === "json" ? text : lang === "sh" && /-d '/.test(text) ? text.slice(text.indexOf("-d '") + 4, text.lastIndexOf("'")) : undefined;
      out.push({ line: i + 1, lang, role, ...(m ? { method: m[1], path: m[2], ...(m[3] ? { status: Number(m[3]) } : {}) } : {}), ...(json !== undefined ? { json } : {}) });
    }
    i = end;
  }
  return out;
}

/** The request examples (each with its endpoint and documented status). */
export function protocolRequestExamples(root?: string): Required<Pick<DocExample, "line" | "method" | "path" | "status" | "json">>[] {
  return protocolDocBlocks(root)
    .filter((b): b is DocExample => b.role === "request")
    .map((b) => {
      if (!b.method || !b.path || !b.status || b.json === undefined) throw new Error(`docs/connector-protocol.md:${b.line}: a request example needs "METHOD path status" and a JSON body`);
      return { line: b.line, method: b.method, path: b.path, status: b.status, json: b.json };
    });
}
