// Content hashes of what a gateway runs (skills, plugins, MCP server packages, the OpenClaw build):
// the tree hash of docs/connector-protocol.md ("Hashes"). Streaming and bounded; a symbolic link
// is recorded by its target and never followed; only regular files are opened (never a FIFO or a
// device, which could block), with O_NOFOLLOW so a file swapped for a link while we walk is not
// followed either. Async all the way (the gateway's event loop keeps serving), one file at a time.
import fs from "node:fs";
import path from "node:path";
import { createHash } from "node:crypto";

const SKIP = new Set(["node_modules", ".git"]);
const NO_SKIP = new Set();
/**
 * Install-state markers of an OpenClaw package, not its code: npm installs it with
 * `.openclaw-lifecycle-pending` (2026.8.1: `dist/openclaw-install-guard`) when install scripts did
 * not run, and the first `openclaw` run completes the lifecycle and deletes the marker. Hashed, the
 * build would change on its first start (seen on a fresh install of 2026.9.6), and an approval
 * pinned to the installed build would then block every built-in tool.
 */
export const BUILD_SKIP_FILES = Object.freeze(new Set([".openclaw-lifecycle-pending", "dist/openclaw-install-guard"]));
const OPEN_FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0) | (fs.constants.O_NONBLOCK ?? 0);
/** Defaults for a skill, plugin or MCP package; the OpenClaw build passes larger ones. */
export const DEFAULT_LIMITS = Object.freeze({ maxFiles: 5_000, maxBytes: 64 * 1024 * 1024 });

class OverBound extends Error {}

// A path or link target with a newline or backslash is escaped the way sha256sum does (the line
// starts with "\"), so a hostile file name cannot forge a manifest line.
const escapeName = (s) => (/[\\\n\r]/.test(s) ? { esc: true, s: s.replaceAll("\\", "\\\\").replaceAll("\n", "\\n").replaceAll("\r", "\\r") } : { esc: false, s });
function manifestLine(digestOrLink, rel) {
  const a = escapeName(digestOrLink);
  const b = escapeName(rel);
  return `${a.esc || b.esc ? "\\" : ""}${a.s}  ${b.s}\n`;
}

async function hashFile(abs, budget) {
  const fh = await fs.promises.open(abs, OPEN_FLAGS);
  try {
    const st = await fh.stat();
    if (!st.isFile()) return undefined; // replaced by something else since the listing
    if (st.size > budget.bytesLeft) throw new OverBound();
    const h = createHash("sha256");
    const buf = Buffer.allocUnsafe(64 * 1024);
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (!bytesRead) break;
      budget.bytesLeft -= bytesRead;
      if (budget.bytesLeft < 0) throw new OverBound(); // grew while we read it
      h.update(buf.subarray(0, bytesRead));
    }
    return h.digest("hex");
  } finally {
    await fh.close();
  }
}

/** Byte order of the UTF-8 relative paths (the same on every platform and runtime). */
const byBytes = (a, b) => Buffer.compare(a.key, b.key);

/**
 * SHA-256 hex of the manifest of every regular file under `dir` (skipping node_modules and .git),
 * sorted by relative POSIX path, one line per file "<sha256 of the file>  <path>\n"; a symbolic
 * link is the line "link:<target>  <path>" and is not followed. `dir` itself is resolved (the
 * configured location of a skill or package may be a link); nothing below it is. Undefined when
 * `dir` is not a readable directory or the tree is over `maxFiles` entries or `maxBytes`.
 */
export async function hashTree(dir, { maxFiles = DEFAULT_LIMITS.maxFiles, maxBytes = DEFAULT_LIMITS.maxBytes } = {}) {
  try {
    return (await hashTreeInfo(dir, { maxFiles, maxBytes })).hash;
  } catch {
    return undefined;
  }
}

/** hashTree with its counts: { hash, files, bytes } (hash undefined when over a bound or unreadable). */
export async function hashTreeInfo(dir, { maxFiles = DEFAULT_LIMITS.maxFiles, maxBytes = DEFAULT_LIMITS.maxBytes, skipFiles = NO_SKIP } = {}) {
  let root;
  try {
    root = await fs.promises.realpath(dir);
    if (!(await fs.promises.stat(root)).isDirectory()) return { hash: undefined, files: 0, bytes: 0 };
  } catch {
    return { hash: undefined, files: 0, bytes: 0 };
  }
  const entries = [];
  const budget = { bytesLeft: maxBytes };
  try {
    // Breadth-first listing; only real directories are entered (Dirent types come from lstat).
    const dirs = [""];
    while (dirs.length) {
      const relDir = dirs.shift();
      const list = await fs.promises.readdir(path.join(root, relDir), { withFileTypes: true });
      for (const d of list) {
        if (SKIP.has(d.name)) continue;
        const rel = relDir ? `${relDir}/${d.name}` : d.name;
        if (skipFiles.has(rel) && !d.isDirectory()) continue;
        if (d.isDirectory()) dirs.push(rel);
        else if (d.isSymbolicLink() || d.isFile()) {
          entries.push({ rel, key: Buffer.from(rel), link: d.isSymbolicLink() });
          if (entries.length > maxFiles) throw new OverBound();
        }
        // sockets, FIFOs, devices: not content, never opened
      }
    }
    entries.sort(byBytes);
    const manifest = createHash("sha256");
    for (const e of entries) {
      const abs = path.join(root, e.rel);
      let line;
      if (e.link) line = manifestLine(`link:${await fs.promises.readlink(abs)}`, e.rel);
      else {
        const digest = await hashFile(abs, budget);
        if (digest === undefined) continue;
        line = manifestLine(digest, e.rel);
      }
      manifest.update(line);
    }
    return { hash: manifest.digest("hex"), files: entries.length, bytes: maxBytes - budget.bytesLeft };
  } catch (err) {
    if (err instanceof OverBound) return { hash: undefined, files: entries.length, bytes: maxBytes - budget.bytesLeft, overBound: true };
    throw err;
  }
}

/**
 * The tree hash of a folder holding only `file` (a single-script MCP server): the manifest line of
 * the file under its own name. The path itself is resolved; undefined when not a readable file.
 */
export async function hashFileAsTree(file, { maxBytes = DEFAULT_LIMITS.maxBytes } = {}) {
  try {
    const real = await fs.promises.realpath(file);
    const digest = await hashFile(real, { bytesLeft: maxBytes });
    if (!digest) return undefined;
    return createHash("sha256").update(manifestLine(digest, path.basename(real))).digest("hex");
  } catch {
    return undefined;
  }
}

/** The OpenClaw package root (the folder of its package.json named "openclaw") above `entry`. */
export function openclawRootOf(entry) {
  let dir = path.dirname(path.resolve(entry));
  for (let i = 0; i < 8; i++) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
      if (pkg?.name === "openclaw") return { root: dir, version: typeof pkg.version === "string" ? pkg.version.slice(0, 100) : undefined };
    } catch {}
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return undefined;
}

/** Bounds for the OpenClaw build (~12k files, ~300 MB in 2026.9.6). */
export const BUILD_LIMITS = Object.freeze({ maxFiles: 100_000, maxBytes: 2 * 1024 * 1024 * 1024 });

/**
 * A cheap fingerprint of an installed package: its version and the stat of package.json and of
 * its top-level entries (an upgrade or reinstall replaces them). Keys the build-hash cache.
 */
export function statFingerprint(root, version) {
  const parts = [version ?? ""];
  try {
    for (const name of fs.readdirSync(root).sort()) {
      if (SKIP.has(name)) continue;
      const st = fs.lstatSync(path.join(root, name));
      parts.push(`${name}:${st.ino}:${st.size}:${Math.trunc(st.mtimeMs)}`);
    }
  } catch {
    return undefined;
  }
  return createHash("sha256").update(parts.join("\n")).digest("hex");
}

/**
 * The tree hash of the OpenClaw build at `root`, from `cacheFile` when its fingerprint still
 * matches, else computed once (off the hot path: the caller does not await it on a tool call)
 * and cached. One computation per process and root, shared by every plugin instance.
 */
export function buildHash({ root, version, cacheFile, limits = BUILD_LIMITS }) {
  const key = Symbol.for("warden.openclaw.buildHash");
  globalThis[key] ??= new Map();
  const jobs = globalThis[key];
  if (jobs.has(root)) return jobs.get(root);
  const job = (async () => {
    const fp = statFingerprint(root, version);
    if (cacheFile && fp) {
      try {
        const c = JSON.parse(fs.readFileSync(cacheFile, "utf8"));
        if (c?.fingerprint === fp && /^[0-9a-f]{64}$/.test(c.hash)) return { hash: c.hash, cached: true };
      } catch {}
    }
    const started = Date.now();
    const info = await hashTreeInfo(root, { ...limits, skipFiles: BUILD_SKIP_FILES });
    if (info.hash && cacheFile && fp) {
      try {
        const tmp = `${cacheFile}.${process.pid}.tmp`;
        fs.writeFileSync(tmp, JSON.stringify({ fingerprint: fp, version, root, hash: info.hash, files: info.files, bytes: info.bytes, ms: Date.now() - started, at: new Date().toISOString() }), { mode: 0o600 });
        fs.renameSync(tmp, cacheFile);
      } catch {}
    }
    return { hash: info.hash, cached: false, files: info.files, bytes: info.bytes, ms: Date.now() - started };
  })();
  jobs.set(root, job);
  job.catch(() => jobs.delete(root));
  return job;
}
