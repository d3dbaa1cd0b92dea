#!/usr/bin/env node
// The registry this project installs from serves only the packages for platforms it supports
// (404 for e.g. @next/swc-darwin-arm64), so `npm install` leaves other platforms' optional
// binaries out of package-lock.json and `npm ci` then rejects the lock as out of sync
// (npm/cli#9846). This restores a lock entry for every missing optional dependency, placed
// next to its installed sibling and marked with the os/cpu its name states, so npm ci skips it
// on this platform and installs it where it applies. Run after changing dependencies:
//   npm install && node scripts/fix-lockfile.mjs
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const file = path.join(ROOT, "package-lock.json");
const lock = JSON.parse(fs.readFileSync(file, "utf8"));
const pkgs = lock.packages;

const OS = ["android", "darwin", "freebsd", "linux", "openbsd", "netbsd", "sunos", "win32", "aix", "openharmony"];
const CPU = ["arm64", "x64", "ia32", "arm", "ppc64", "riscv64", "s390x", "loong64", "mips64el", "wasm32", "x86"];
function platformOf(name) {
  const base = name.split("/").pop();
  const parts = base.split("-");
  const os = OS.find((o) => parts.includes(o) || parts.includes(o === "win32" ? "windows" : o));
  let cpu = CPU.find((c) => parts.includes(c));
  if (!cpu && parts.includes("x86_64")) cpu = "x64";
  if (!cpu && parts.includes("universal")) cpu = undefined;
  const libc = parts.includes("musl") ? "musl" : parts.includes("gnu") || parts.includes("gnueabihf") ? "glibc" : undefined;
  return { os, cpu, libc, wasm: base.includes("wasm32") };
}

/** Where a dependency `name` of the package at `parentKey` resolves (node_modules lookup). */
function resolveKey(parentKey, name) {
  let dir = parentKey;
  for (;;) {
    const key = (dir ? `${dir}/` : "") + `node_modules/${name}`;
    if (pkgs[key]) return key;
    if (!dir) return null;
    const idx = dir.lastIndexOf("node_modules/");
    dir = idx <= 0 ? "" : dir.slice(0, idx - 1);
  }
}

let added = 0;
for (const [key, entry] of Object.entries(pkgs)) {
  const optional = entry.optionalDependencies ?? {};
  const names = Object.keys(optional);
  if (!names.length) continue;
  // Where the siblings that did install live: the missing ones go to the same folder.
  const installed = names.map((n) => resolveKey(key, n)).filter(Boolean);
  for (const name of names) {
    if (resolveKey(key, name)) continue;
    const version = optional[name].replace(/^[=^~]/, "");
    if (!/^\d+\.\d+\.\d+/.test(version)) continue;
    const sibling = installed[0];
    const target = sibling ? sibling.slice(0, sibling.length - installed[0].split("node_modules/").pop().length) + name : `${key ? key + "/" : ""}node_modules/${name}`;
    if (pkgs[target]) continue;
    const p = platformOf(name);
    const out = { version, optional: true };
    if (entry.dev) out.dev = true;
    if (entry.devOptional) out.devOptional = true;
    if (p.cpu) out.cpu = [p.cpu];
    if (p.libc && p.os === "linux") out.libc = [p.libc];
    if (p.os) out.os = [p.os];
    pkgs[target] = out;
    added++;
  }
}
const sorted = Object.fromEntries(Object.entries(pkgs).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a < b ? -1 : 1)));
lock.packages = sorted;
fs.writeFileSync(file, JSON.stringify(lock, null, 2) + "\n");
console.log(`package-lock.json: restored ${added} optional platform entries`);
