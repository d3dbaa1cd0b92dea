// The OpenClaw plugin's tree hash (connectors/openclaw/lib/hash.js, docs/connector-protocol.md
// "Hashes"): manifest format and order, symbolic links never followed, bounds, special files.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { buildHash, hashFileAsTree, hashTree, hashTreeInfo, statFingerprint } from "../../connectors/openclaw/lib/hash.js";

const sha = (s: string | Buffer) => createHash("sha256").update(s).digest("hex");
const dirs: string[] = [];
function tree(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "warden-hash-"));
  dirs.push(root);
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), content);
  }
  return root;
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe("hashTree", () => {
  it("hashes the manifest of every file sorted by the bytes of its POSIX path", async () => {
    const content: Record<string, string> = { b: "2", "a/z": "3", "a.txt": "1", A: "0", Z: "5", "x/y/deep.md": "4", "é.md": "6" };
    const root = tree(content);
    // Byte order, not a locale's: upper case before lower case ("Z" before "a.txt"), '.' (0x2e)
    // before '/' (0x2f), multi-byte UTF-8 last.
    const order = ["A", "Z", "a.txt", "a/z", "b", "x/y/deep.md", "é.md"];
    const manifest = order.map((p) => `${sha(content[p])}  ${p}\n`).join("");
    expect(await hashTree(root)).toBe(sha(manifest));
  });

  it("changes when a file's content, a file name or the set of files changes", async () => {
    const root = tree({ "SKILL.md": "say hello", "scripts/run.sh": "echo hi" });
    const before = await hashTree(root);
    fs.writeFileSync(path.join(root, "scripts/run.sh"), "echo pwned");
    const changed = await hashTree(root);
    expect(changed).not.toBe(before);
    fs.renameSync(path.join(root, "scripts/run.sh"), path.join(root, "scripts/run2.sh"));
    expect(await hashTree(root)).not.toBe(changed);
    fs.writeFileSync(path.join(root, ".hidden"), "");
    expect(await hashTree(root)).not.toBe(changed);
  });

  it("skips node_modules and .git but nothing else", async () => {
    const root = tree({ "index.js": "x" });
    const h = await hashTree(root);
    fs.mkdirSync(path.join(root, "node_modules/dep"), { recursive: true });
    fs.writeFileSync(path.join(root, "node_modules/dep/index.js"), "y");
    fs.mkdirSync(path.join(root, ".git"));
    fs.writeFileSync(path.join(root, ".git/HEAD"), "ref");
    expect(await hashTree(root)).toBe(h);
  });

  it("records a symbolic link by its target and never follows it (file or folder)", async () => {
    const outside = tree({ "secret.txt": "s1", "dir/inner.txt": "i1" });
    const root = tree({ "a.txt": "a" });
    fs.symlinkSync(path.join(outside, "secret.txt"), path.join(root, "link-file"));
    fs.symlinkSync(path.join(outside, "dir"), path.join(root, "link-dir"));
    const manifest = [`${sha("a")}  a.txt\n`, `link:${path.join(outside, "dir")}  link-dir\n`, `link:${path.join(outside, "secret.txt")}  link-file\n`].join("");
    const h = await hashTree(root);
    expect(h).toBe(sha(manifest));
    // The targets' content is not part of the hash, and the linked folder is not walked.
    fs.writeFileSync(path.join(outside, "secret.txt"), "s2");
    fs.writeFileSync(path.join(outside, "dir/inner.txt"), "i2");
    fs.writeFileSync(path.join(outside, "dir/new.txt"), "n");
    expect(await hashTree(root)).toBe(h);
    // A changed target is a change.
    fs.rmSync(path.join(root, "link-file"));
    fs.symlinkSync("/etc/passwd", path.join(root, "link-file"));
    expect(await hashTree(root)).not.toBe(h);
  });

  it("is undefined over its file or byte bound, and for a missing path or a file", async () => {
    const root = tree({ a: "1234", b: "5678", c: "9" });
    expect(await hashTree(root, { maxFiles: 3, maxBytes: 9 })).toMatch(/^[0-9a-f]{64}$/);
    expect(await hashTree(root, { maxFiles: 2, maxBytes: 1000 })).toBeUndefined();
    expect(await hashTree(root, { maxFiles: 100, maxBytes: 8 })).toBeUndefined();
    expect(await hashTreeInfo(root, { maxFiles: 100, maxBytes: 8 })).toMatchObject({ hash: undefined, overBound: true });
    expect(await hashTree(path.join(root, "nope"))).toBeUndefined();
    expect(await hashTree(path.join(root, "a"))).toBeUndefined();
  });

  it("never opens a FIFO (which would block) and leaves it out", async () => {
    const root = tree({ a: "1" });
    const h = await hashTree(root);
    execFileSync("mkfifo", [path.join(root, "pipe")]);
    const started = Date.now();
    expect(await hashTree(root)).toBe(h);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("escapes a newline in a file name so it cannot forge another manifest line", async () => {
    const two = tree({ a: "1", b: "2" });
    const forged = tree({ [`a\n${sha("2")}  b`]: "1" });
    expect(await hashTree(forged)).not.toBe(await hashTree(two));
  });

  it("hashes a single script as a tree of that one file", async () => {
    const root = tree({ "server.mjs": "console.log(1)" });
    expect(await hashFileAsTree(path.join(root, "server.mjs"))).toBe(await hashTree(root));
    expect(await hashFileAsTree(path.join(root, "missing.mjs"))).toBeUndefined();
  });
});

describe("buildHash", () => {
  it("computes once, caches by a stat fingerprint, and recomputes when the package changed", async () => {
    const root = tree({ "package.json": JSON.stringify({ name: "openclaw", version: "1.0.0" }), "dist/index.js": "a" });
    const cacheFile = path.join(tree({}), "build-hash.json");
    const first = await buildHash({ root, version: "1.0.0", cacheFile });
    expect(first).toMatchObject({ hash: await hashTree(root), cached: false });
    expect(JSON.parse(fs.readFileSync(cacheFile, "utf8"))).toMatchObject({ hash: first.hash, fingerprint: statFingerprint(root, "1.0.0") });
    // Same process: the same job. A new process (simulated: a new root key) reads the cache.
    expect(await buildHash({ root, version: "1.0.0", cacheFile })).toBe(first);
    const alias = `${root}/.`;
    expect(await buildHash({ root: alias, version: "1.0.0", cacheFile })).toMatchObject({ hash: first.hash, cached: true });
    // An upgrade replaces top-level entries: the fingerprint no longer matches, the hash is recomputed.
    fs.rmSync(path.join(root, "dist"), { recursive: true });
    fs.mkdirSync(path.join(root, "dist"));
    fs.writeFileSync(path.join(root, "dist/index.js"), "b");
    // Within one millisecond the new folder can get the old one's inode and time (seen on a loaded
    // machine): date it as an install a moment later would.
    const later = new Date(Date.now() + 5_000);
    fs.utimesSync(path.join(root, "dist"), later, later);
    const again = await buildHash({ root: `${root}/./`, version: "1.0.0", cacheFile });
    expect(again.cached).toBe(false);
    expect(again.hash).toBe(await hashTree(root));
    expect(again.hash).not.toBe(first.hash);
  });

  it("leaves out OpenClaw's install-lifecycle markers, which its first start deletes (the build hash is the same before and after)", async () => {
    const files = { "package.json": JSON.stringify({ name: "openclaw", version: "2.0.0" }), "dist/index.js": "code", "dist/other.js": "more" };
    const installed = tree({ ...files, ".openclaw-lifecycle-pending": "pending\n", "dist/openclaw-install-guard": "guard" });
    const started = tree(files);
    const before = await buildHash({ root: installed, version: "2.0.0" });
    const after = await buildHash({ root: started, version: "2.0.0" });
    expect(before.hash).toBeDefined();
    expect(before.hash).toBe(after.hash);
    // Only at those paths: a file of that name elsewhere, or real code, still counts.
    const elsewhere = tree({ ...files, "dist/.openclaw-lifecycle-pending": "pending\n" });
    expect((await buildHash({ root: elsewhere, version: "2.0.0" })).hash).not.toBe(after.hash);
    // Skills, plugins and MCP packages hash every file (hashTree has no skip list).
    expect(await hashTree(installed)).not.toBe(await hashTree(started));
  });
});
