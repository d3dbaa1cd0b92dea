// What the OpenClaw plugin reports about configured MCP servers (connectors/openclaw/lib/mcp.js):
// nothing secret leaves the gateway, whatever the config holds; local servers carry their hash.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { describeMcpServers, localArtefactOf, safeArgs, safeUrl } from "../../connectors/openclaw/lib/mcp.js";
import { hashFileAsTree, hashTree } from "../../connectors/openclaw/lib/hash.js";

const SECRETS = [
  "hunter2-supersecret",
  "sk-proj-AbC123dEf456GhI789jKl012",
  "ghp_16C7e42F292c6912E7710c838347Ae178B4a",
  "xoxb-1234567890-abcdefghij",
  "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl",
  "AKIAIOSFODNN7EXAMPLE",
  "pa55w0rd-in-userinfo",
  "query-secret-value",
  "frag-secret",
  "Zq8vR2mX9kL4pT7wY1nB5cD3",
  "env-secret-value",
  "header-secret-value",
  "colon-sep-secret",
  "json-inline-secret",
];

const hostile = {
  flags: {
    command: "node",
    args: [
      "/opt/server.js",
      `--token=${SECRETS[0]}`,
      "--api-key",
      SECRETS[1],
      "-H",
      `Authorization: Bearer ${SECRETS[2]}`,
      `SLACK_TOKEN=${SECRETS[3]}`,
      SECRETS[4],
      `--aws=${SECRETS[5]}`,
      `https://bob:${SECRETS[6]}@api.example.com/v1/mcp?key=${SECRETS[7]}#${SECRETS[8]}`,
      "--password",
      "short",
      "--verbose",
      "--port",
      "8080",
      `--token:${SECRETS[12]}`,
      `{"apiKey":"${SECRETS[13]}"}`,
    ],
    env: { API_KEY: SECRETS[10] },
    headers: { Authorization: SECRETS[11] },
  },
  remote: {
    url: `https://alice:${SECRETS[6]}@mcp.example.com/hooks/${SECRETS[9]}/sse?token=${SECRETS[7]}#${SECRETS[8]}`,
    transport: "sse",
    headers: { Authorization: `Bearer ${SECRETS[11]}` },
    auth: "oauth",
    oauth: { clientSecret: SECRETS[0] },
  },
  inline: { command: `uvx mcp-thing --token ${SECRETS[0]} --key=${SECRETS[1]}` },
  weird: { command: ["not", "a", "string"], args: "nope", env: SECRETS },
  off: { enabled: false, command: "npx", args: ["-y", "@acme/mcp-server"] },
  sneaky: { transport: `sse?token=${SECRETS[0]}`, url: "https://h.example/mcp" },
};

describe("describeMcpServers", () => {
  it("never reports a secret from args, env, headers, URLs or auth settings", async () => {
    const out = await describeMcpServers(hostile, { hash: false });
    const text = JSON.stringify(out);
    for (const s of SECRETS) expect(text, s).not.toContain(s);
    for (const k of ["env", "headers", "auth", "oauth", "SECRET"]) expect(text).not.toContain(`"${k}"`);
    expect(text).not.toContain("short"); // the value after a bare --password flag
  });

  it("keeps what identifies the server: name, transport, command, harmless args, host and path", async () => {
    const out = await describeMcpServers(hostile, { hash: false });
    const byName = Object.fromEntries(out.map((s) => [s.name, s]));
    expect(byName.flags).toMatchObject({ transport: "stdio", command: "node", enabled: true });
    expect(byName.flags.args).toEqual(expect.arrayContaining(["/opt/server.js", "--token=[redacted]", "--api-key", "[redacted]", "--verbose", "--port", "8080", "https://api.example.com/v1/mcp"]));
    expect(byName.flags.args).toHaveLength(hostile.flags.args.length);
    expect(byName.remote).toMatchObject({ transport: "sse", url: "https://mcp.example.com/hooks/[redacted]/sse" });
    expect(byName.remote.command).toBeUndefined();
    expect(byName.inline.command).toBe("uvx mcp-thing --token [redacted] --key=[redacted]");
    expect(byName.off).toMatchObject({ enabled: false, command: "npx", args: ["-y", "@acme/mcp-server"] });
    expect(byName.weird).toMatchObject({ transport: "unknown" });
    expect(byName.sneaky).toMatchObject({ transport: "unknown", url: "https://h.example/mcp" });
    expect(byName.flags.args).toEqual(expect.arrayContaining(["--token:[redacted]", "[redacted]"]));
    expect(byName.weird.args).toBeUndefined();
  });

  it("drops userinfo, query and fragment of any URL, and refuses what is not one", () => {
    expect(safeUrl("https://u:p@h.example:8443/a/b?x=1#y")).toBe("https://h.example:8443/a/b");
    expect(safeUrl("not a url")).toBeUndefined();
    expect(safeArgs(["--url=https://u:p@h/x?t=1"])).toEqual(["--url=[redacted]"]);
    expect(safeArgs(["-e", "TOKEN=abc", "--env", "X=1", "--header", "Cookie: s=1"])).toEqual(["-e", "[redacted]", "--env", "[redacted]", "--header", "[redacted]"]);
  });

  it("is empty for a config without servers or with a hostile shape", async () => {
    expect(await describeMcpServers(undefined)).toEqual([]);
    expect(await describeMcpServers([{ command: "x" }])).toEqual([]);
    expect(await describeMcpServers("servers")).toEqual([]);
  });

  it("hashes the local script or package a stdio server runs, and the hash follows its content", async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "warden-mcp-"));
    try {
      fs.writeFileSync(path.join(root, "server.mjs"), "console.log('v1')");
      fs.mkdirSync(path.join(root, "pkg"));
      fs.writeFileSync(path.join(root, "pkg", "index.js"), "x");
      const servers = {
        script: { command: "node", args: [path.join(root, "server.mjs")] },
        pkg: { command: "node", args: ["./pkg"], cwd: root },
        remote: { url: "https://h/x" },
        npx: { command: "npx", args: ["-y", "pkg"] },
      };
      expect(localArtefactOf(servers.pkg)).toEqual({ dir: path.join(root, "pkg") });
      const first = Object.fromEntries((await describeMcpServers(servers)).map((s) => [s.name, s.hash]));
      expect(first.script).toBe(await hashFileAsTree(path.join(root, "server.mjs")));
      expect(first.pkg).toBe(await hashTree(path.join(root, "pkg")));
      expect(first.remote).toBeUndefined();
      expect(first.npx).toBeUndefined();
      fs.writeFileSync(path.join(root, "server.mjs"), "console.log('v2')");
      const second = Object.fromEntries((await describeMcpServers(servers)).map((s) => [s.name, s.hash]));
      expect(second.script).not.toBe(first.script);
      expect(second.pkg).toBe(first.pkg);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
