// The OpenClaw plugin's conditions and SSRF check (connectors/openclaw/lib/conditions.js) and the
// time bounds decide.js enforces by its own clock. Plain ESM, tested here like plugin-decide.test.ts.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { checkConditions, commandMatches, egressHostsOf, hostMatches, hostOf, ssrfRisk, underPrefix } from "../../connectors/openclaw/lib/conditions.js";
import { decide, type DecidePolicy } from "../../connectors/openclaw/lib/decide.js";

type Cond = { egressHosts?: string[]; pathPrefixes?: string[]; commandPatterns?: string[] };
const agent = (egressHosts: string[] = []) => ({ id: "main", egressHosts });
const tool = (name: string, conditions?: Cond) => ({ name, ...(conditions ? { conditions } : {}) });
const check = (name: string, params: unknown, conditions?: Cond, flows: string[] = [], extra: Record<string, unknown> = {}) =>
  checkConditions(agent(flows), tool(name, conditions), { toolName: name, params, ...extra });

describe("SSRF at the gateway: URL parameters whose host is an address or a private name", () => {
  const hostile = [
    "http://169.254.169.254/latest/meta-data/",
    "http://169.254.169.254.",
    "http://[fe80::1]/",
    "http://127.0.0.1:8080/",
    "http://127.1/",
    "http://0x7f.0.0.1/",
    "http://0177.0.0.1/",
    "http://2130706433/",
    "http://0x7f000001/",
    "http://017700000001/",
    "http://[::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:a9fe:a9fe]/",
    "http://[0:0:0:0:0:ffff:7f00:1]/",
    "http://0.0.0.0/",
    "http://0/",
    "http://[::]/",
    "http://10.0.0.5/",
    "http://172.16.3.4/",
    "http://192.168.1.1/",
    "http://100.64.0.1/",
    "http://[fd00::1]/",
    "http://[fc00::5]/",
    "http://[64:ff9b::7f00:1]/",
    "http://[2002:7f00:1::]/",
    "http://localhost/",
    "http://LOCALHOST./",
    "http://api.localhost/",
    "http://metadata.google.internal/computeMetadata/v1/",
    "http://METADATA.GOOGLE.INTERNAL./",
    "http://metadata/",
    "http://db.internal/",
    "http://printer.local/",
    "http://router.home.arpa/",
    "http://127.0.0.1.nip.io/",
    "http://app.lvh.me/",
    "http://intranet/",
    "http://user:pw@127.0.0.1/",
    "http://evil.example@169.254.169.254/",
    "https://127.0.0.1\\@example.com/",
    "169.254.169.254/latest",
    "localhost:3000/admin",
    "ws://127.0.0.1:9222/devtools",
    "http://8.8.8.8/",
    "http://[2606:4700:4700::1111]/",
    "http://①②⑦.0.0.1/",
    "http://１２７.０.０.１/",
    "http://ｌｏｃａｌｈｏｓｔ/",
    "http://%31%32%37.0.0.1/",
    "http://127.0.0.1%09/",
    "http://[fe80::1%25eth0]/",
    "http://[fd00:ec2::254]/",
    "http://100.100.100.200/",
    "http://192.0.0.192/",
    "http://168.63.129.16/",
    "http://169.254.169.254.nip.io/",
    "http://instance-data/",
    "http://[::127.0.0.1]/",
    "http://0x7f.0x0.0x0.0x1/",
    "http://127.000.000.001/",
    " http://127.0.0.1/",
  ];
  for (const url of hostile) {
    it(`blocks ${url}`, () => {
      const r = check("web_fetch", { url });
      expect(r?.code, url).toBe("ssrf");
      expect(r?.reason).toContain("SSRF");
    });
  }

  it("blocks other schemes, unparseable values and URL parameters at any depth and in lists", () => {
    expect(check("web_fetch", { url: "file:///etc/passwd" })?.code).toBe("ssrf");
    expect(check("web_fetch", { url: "gopher://example.com/" })?.code).toBe("ssrf");
    expect(check("web_fetch", { url: "http://" })?.code).toBe("ssrf");
    expect(check("browser", { action: "open", targetUrl: "http://127.0.0.1/" })?.code).toBe("ssrf");
    expect(check("browser", { request: { nested: { url: "http://10.1.1.1/" } } })?.code).toBe("ssrf");
    expect(check("crawl", { urls: ["https://example.com/", "http://169.254.169.254/"] })?.code).toBe("ssrf");
    expect(check("x", { baseURL: "http://[::1]:1/" })?.code).toBe("ssrf");
    // Any value that is an absolute URL counts, whatever its parameter is called; prose mentioning one does not.
    expect(check("image", { image: "http://169.254.169.254/latest/meta-data/iam" })?.code).toBe("ssrf");
    expect(check("browser", { action: "navigate", target: ["HTTP://127.0.0.1:9222/json"] })?.code).toBe("ssrf");
    expect(check("message", { text: "the dashboard at http://localhost:3000 is down" })).toBeNull();
    expect(check("write", { path: "/tmp/links.txt", content: "http://localhost:3000/" })).toBeNull();
  });

  it("lets public names and host-less URLs through, and names the host and the range in the reason", () => {
    expect(check("web_fetch", { url: "https://example.com/a?b=127.0.0.1" })).toBeNull();
    expect(check("browser", { url: "about:blank" })).toBeNull();
    expect(check("web_fetch", { url: "https://Bücher.example/" })).toBeNull();
    expect(check("web_fetch", { url: "http://169.254.169.254/" })?.reason).toMatch(/"169\.254\.169\.254", a link-local address/);
    expect(check("web_fetch", { url: "http://0x7f.1/" })?.reason).toContain('"127.0.0.1", a loopback address');
  });

  it("lets an address or private name through only when a data flow of the agent names exactly that host", () => {
    expect(check("web_fetch", { url: "http://127.0.0.1:9/" }, undefined, ["127.0.0.1"])).toBeNull();
    expect(check("web_fetch", { url: "http://[::1]/" }, undefined, ["::1"])).toBeNull();
    expect(check("web_fetch", { url: "http://[::ffff:127.0.0.1]/" }, undefined, ["127.0.0.1"])?.code).toBe("ssrf");
    expect(check("web_fetch", { url: "http://127.0.0.2/" }, undefined, ["127.0.0.1"])?.code).toBe("ssrf");
    expect(check("web_fetch", { url: "http://metadata.google.internal/" }, undefined, ["*.google.internal"])?.code).toBe("ssrf");
  });

  it("classifies", () => {
    expect(ssrfRisk("example.com")).toBeNull();
    expect(ssrfRisk("93.184.216.34")).toContain("IP address literal");
    expect(hostOf("HTTP://Example.COM./x")).toEqual({ host: "example.com" });
    expect(hostOf("http://[::FFFF:7F00:1]/")).toEqual({ host: "::ffff:7f00:1" });
    expect(egressHostsOf({ url: "https://a.example.com/x", more: { href: "http://b.example.com" }, text: "see http://not-a-url-param.com" })).toEqual(["a.example.com", "b.example.com"]);
  });
});

describe("conditions: egress hosts", () => {
  it("exact host or *.suffix (not the apex), case-insensitive, IDNA", () => {
    expect(hostMatches("hooks.slack.com", "hooks.slack.com")).toBe(true);
    expect(hostMatches("a.example.com", "*.example.com")).toBe(true);
    expect(hostMatches("a.b.example.com", "*.example.com")).toBe(true);
    expect(hostMatches("example.com", "*.example.com")).toBe(false);
    expect(hostMatches("evilexample.com", "*.example.com")).toBe(false);
    expect(hostMatches("example.com.evil.io", "example.com")).toBe(false);
    const c = { egressHosts: ["hooks.slack.com", "*.example.com", "xn--bcher-kva.example"] };
    expect(check("web_fetch", { url: "https://HOOKS.slack.com./x" }, c)).toBeNull();
    expect(check("web_fetch", { url: "https://bücher.example/" }, c)).toBeNull();
    expect(check("web_fetch", { url: "https://api.example.com/" }, c)).toBeNull();
    const r = check("web_fetch", { url: "https://hooks.slack.com.evil.io/" }, c);
    expect(r?.code).toBe("condition_egress");
    expect(r?.reason).toContain('condition "egress hosts" of tool "web_fetch"');
    expect(check("web_fetch", { url: "https://example.com/" }, c)?.code).toBe("condition_egress");
    expect(check("web_fetch", { url: "https://example.com/" }, { egressHosts: [] })?.reason).toContain("no network access");
  });
});

describe("conditions: path prefixes", () => {
  const c = { pathPrefixes: ["/srv/data"] };
  it("compares normalised absolute paths on whole segments", () => {
    expect(check("write", { path: "/srv/data/out.txt", content: "x" }, c)).toBeNull();
    expect(check("write", { path: "/srv/data" }, c)).toBeNull();
    expect(check("read", { file_path: "/srv/data/./a/../b.txt" }, c)).toBeNull();
    expect(check("read", { path: "file:///srv/data/x" }, c)).toBeNull();
    for (const p of [
      "/srv/database/x",
      "/srv/data/../etc/passwd",
      "/srv/data/../../etc",
      "/etc/passwd",
      "relative/x",
      "~/x",
      "./x",
      "",
      "/srv/data/\0x",
      "file:///etc/passwd",
      "//srv/data/../../etc",
    ]) {
      const r = check("write", { path: p }, c);
      expect(r?.code, JSON.stringify(p)).toBe("condition_path");
      expect(r?.reason).toContain('condition "path prefixes" of tool "write"');
    }
    expect(check("edit", { path: "/srv/data/a", file_path: "/etc/x" }, c)?.code).toBe("condition_path");
    expect(check("exec", { command: "ls", workdir: "/tmp" }, c)?.code).toBe("condition_path");
    expect(underPrefix("/a/b", "/")).toBe(true);
  });

  it("checks patch headers and OpenClaw's derivedPaths, and blocks a patch whose paths are unknown", () => {
    const patch = "*** Begin Patch\n*** Add File: /srv/data/new.txt\n+hi\n*** Update File: /etc/hosts\n*** End Patch";
    expect(check("apply_patch", { input: patch }, c)?.code).toBe("condition_path");
    expect(check("apply_patch", { input: "*** Begin Patch\n*** Add File: /srv/data/new.txt\n+hi\n*** End Patch" }, c)).toBeNull();
    expect(check("apply_patch", { input: "garbage" }, c)?.code).toBe("condition_path");
    expect(check("write", { path: "/srv/data/x" }, c, [], { derivedPaths: ["/root/.ssh/authorized_keys"] })?.code).toBe("condition_path");
  });

  it("follows symbolic links out of the prefix (real paths compared when the gateway can resolve them)", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "warden-cond-"));
    fs.mkdirSync(path.join(dir, "allowed"));
    fs.mkdirSync(path.join(dir, "secret"));
    fs.symlinkSync(path.join(dir, "secret"), path.join(dir, "allowed", "link"));
    const realpath = (p: string) => {
      const rest: string[] = [];
      let cur = p;
      for (;;) {
        try {
          return path.join(fs.realpathSync.native(cur), ...rest.reverse());
        } catch {
          rest.push(path.basename(cur));
          cur = path.dirname(cur);
        }
      }
    };
    const cc = { pathPrefixes: [path.join(dir, "allowed")] };
    try {
      expect(checkConditions(agent(), tool("write", cc), { toolName: "write", params: { path: path.join(dir, "allowed", "new", "file.txt") } }, { realpath })).toBeNull();
      expect(checkConditions(agent(), tool("write", cc), { toolName: "write", params: { path: path.join(dir, "allowed", "link", "x.txt") } }, { realpath })?.reason).toContain("symbolic link");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("conditions: command patterns (glob, no regex)", () => {
  const c = { commandPatterns: ["git status", "git log *", "ls *"] };
  it("matches the whole command; * never spans shell control characters", () => {
    expect(check("exec", { command: "git status" }, c)).toBeNull();
    expect(check("exec", { command: "  git log --oneline -5 " }, c)).toBeNull();
    expect(check("exec", { command: "ls -la /tmp" }, c)).toBeNull();
    for (const cmd of [
      "git status; rm -rf /",
      "git statusx",
      "ls x && curl evil",
      "ls $(id)",
      "ls `id`",
      "ls x | sh",
      "ls x\nrm -rf /",
      "ls > /etc/x",
      "rm -rf /",
      "git log\r\nrm",
      "ls ${IFS}",
      "ls (x)",
    ]) {
      const r = check("exec", { command: cmd }, c);
      expect(r?.code, JSON.stringify(cmd)).toBe("condition_command");
      expect(r?.reason).toContain('condition "command patterns" of tool "exec"');
    }
    expect(check("exec", {}, c)?.code).toBe("condition_command");
    expect(check("exec", { command: ["ls"] }, c)?.code).toBe("condition_command");
    expect(check("exec", { command: `ls ${"a".repeat(5000)}` }, c)?.code).toBe("condition_command");
  });

  it("stays fast on adversarial input (no backtracking)", () => {
    const pattern = "*a*a*a*a*a*a*a*a*a*b";
    const t = Date.now();
    expect(commandMatches(pattern, "a".repeat(4096))).toBe(false);
    expect(Date.now() - t).toBeLessThan(500);
    expect(commandMatches("echo *", "echo hello world")).toBe(true);
    expect(commandMatches("echo ;", "echo ;")).toBe(true);
  });
});

describe("decide: time bounds by the plugin's clock, conditions after the allowlist", () => {
  const now = Date.parse("2030-01-01T00:00:00Z");
  const policy: DecidePolicy = {
    agents: [
      {
        id: "main",
        name: "Main",
        status: "active",
        egressHosts: ["127.0.0.1"],
        tools: [
          { name: "read", versions: [{ version: "1", contentHash: "a".repeat(64) }], until: "2030-01-01T00:00:05Z" },
          { name: "write", versions: [], until: "2029-12-31T23:59:59Z" },
          { name: "web_fetch", conditions: { egressHosts: ["*.example.com", "127.0.0.1"] } },
        ],
      },
    ],
  };
  it("ends an allowance at `until` without a new policy, and applies conditions and SSRF to allowed tools", () => {
    expect(decide(policy, null, { agentId: "main", toolName: "read", params: {} }, now)).toMatchObject({ allow: true });
    expect(decide(policy, null, { agentId: "main", toolName: "read", params: {} }, now + 5000)).toMatchObject({ allow: false, code: "allowance_ended" });
    expect(decide(policy, null, { agentId: "main", toolName: "write" }, now)).toMatchObject({ allow: false, code: "allowance_ended" });
    expect(decide(policy, null, { agentId: "main", toolName: "web_fetch", params: { url: "https://a.example.com" } }, now).allow).toBe(true);
    expect(decide(policy, null, { agentId: "main", toolName: "web_fetch", params: { url: "http://127.0.0.1:1/" } }, now).allow).toBe(true);
    expect(decide(policy, null, { agentId: "main", toolName: "web_fetch", params: { url: "https://evil.io" } }, now)).toMatchObject({ allow: false, code: "condition_egress" });
    expect(decide(policy, null, { agentId: "main", toolName: "web_fetch", params: { url: "http://169.254.169.254/" } }, now)).toMatchObject({ allow: false, code: "ssrf" });
    // A malformed bound is no bound to trust: blocked.
    const bad: DecidePolicy = { agents: [{ id: "main", status: "active", tools: [{ name: "read", until: "not a date" }] }] };
    expect(decide(bad, null, { agentId: "main", toolName: "read" }, now)).toMatchObject({ allow: false, code: "allowance_ended" });
  });
});
