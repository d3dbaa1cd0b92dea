/**
 * The bench's own Warden server: `next start` from the existing production build (.next), on a
 * free port, against the bench database, with the schedulers off. The bench never builds.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { nextStart } from "../../scripts/lib/runtime.mjs";

export type BenchServer = { url: string; port: number; pid: number; child: ChildProcess; logFile: string; stop: () => Promise<void> };

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once("error", () => resolve(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
  });
}

/** The newest modification time under the source folders (to tell whether .next is stale). */
function newestSource(root: string): number {
  let newest = 0;
  const walk = (dir: string) => {
    if (!fs.existsSync(dir)) return;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (e.name === "generated" || e.name === "node_modules" || e.name.startsWith(".") || e.name.endsWith(".test.ts")) continue;
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else newest = Math.max(newest, fs.statSync(p).mtimeMs);
    }
  };
  for (const d of ["app", "components", "lib"]) walk(path.join(root, d));
  return newest;
}

/** Whether a production build exists, and whether sources changed after it was made. */
export function buildInfo(root: string): { exists: boolean; builtAt: string | null; stale: boolean } {
  const id = path.join(root, ".next", "BUILD_ID");
  if (!fs.existsSync(id)) return { exists: false, builtAt: null, stale: true };
  const built = fs.statSync(id).mtimeMs;
  return { exists: true, builtAt: new Date(built).toISOString(), stale: newestSource(root) > built };
}

/** Start `next start` on the first free port in [3200, 3300). Resolves once it answers HTTP. */
export async function startServer(root: string, env: Record<string, string>, log: (m: string) => void, logDir: string): Promise<BenchServer> {
  let port = 0;
  for (let p = 3200; p < 3300 && !port; p++) if (await portFree(p)) port = p;
  if (!port) throw new Error("No free port in 3200-3299 for the bench server.");
  const logFile = path.join(logDir, "server.log");
  const out = fs.openSync(logFile, "a");
  // BENCH_SERVER_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") profiles the server.
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? "").split(/\s+/).filter(Boolean);
  // Started the way `npm start` starts Warden (same flags and Node options), plus those node args.
  const server = nextStart(["-p", String(port), "-H", "127.0.0.1"], { ...process.env, ...env, PORT: String(port), NEXT_TELEMETRY_DISABLED: "1" });
  const child = spawn(process.execPath, [...nodeArgs, path.join(root, "node_modules", "next", "dist", "bin", "next"), ...server.args], {
    cwd: root,
    env: server.env,
    stdio: ["ignore", out, out],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`The bench server exited (${child.exitCode}); see ${logFile}`);
    try {
      const res = await fetch(`${url}/api/v1/connector/public-key`);
      await res.arrayBuffer();
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`The bench server did not answer within 60 s; see ${logFile}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  log(`Warden server (next start) on ${url}, pid ${child.pid}`);
  return {
    url,
    port,
    pid: child.pid!,
    child,
    logFile,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
        child.once("exit", () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill("SIGTERM");
      }),
  };
}

function readStatus(pid: number): { rssKb: number; hwmKb: number } | null {
  try {
    const s = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    return { rssKb: Number(/VmRSS:\s+(\d+)/.exec(s)?.[1] ?? 0), hwmKb: Number(/VmHWM:\s+(\d+)/.exec(s)?.[1] ?? 0) };
  } catch {
    return null;
  }
}

/** The pid and its descendants (next start may run the server in a child process). */
function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(name));
      children.set(ppid, list);
    } catch {
      // gone meanwhile
    }
  }
  const out: number[] = [];
  const stack = [root];
  while (stack.length) {
    const p = stack.pop()!;
    out.push(p);
    stack.push(...(children.get(p) ?? []));
  }
  return out;
}

/**
 * CPU seconds (user + system) the server's live process tree has used so far: read before and
 * after a measurement, it gives the server's CPU per unit of work, which the load of other
 * processes on the machine changes far less than it changes throughput.
 */
export function cpuSeconds(pid: number): number {
  const ticks = 100; // USER_HZ on Linux
  let sum = 0;
  for (const p of processTree(pid)) {
    try {
      const f = fs.readFileSync(`/proc/${p}/stat`, "utf8");
      const fields = f.slice(f.lastIndexOf(")") + 2).split(" ");
      sum += (Number(fields[11]) + Number(fields[12])) / ticks; // utime, stime (fields 14 and 15)
    } catch {
      // gone meanwhile
    }
  }
  return sum;
}

/** Sample the server's resident memory (VmRSS summed over its process tree) until stopped. */
export function sampleRss(pid: number, everyMs = 100) {
  let peakKb = 0;
  let tree = processTree(pid);
  let ticks = 0;
  const samples: number[] = [];
  const tick = () => {
    if (++ticks % 20 === 0) tree = processTree(pid);
    const kb = tree.reduce((sum, p) => sum + (readStatus(p)?.rssKb ?? 0), 0);
    samples.push(kb);
    peakKb = Math.max(peakKb, kb);
  };
  tick();
  const timer = setInterval(tick, everyMs);
  return {
    stop: () => {
      clearInterval(timer);
      tick();
      const hwmKb = processTree(pid).reduce((sum, p) => sum + (readStatus(p)?.hwmKb ?? 0), 0);
      return { peakMb: peakKb / 1024, hwmMb: hwmKb / 1024, samples: samples.length };
    },
  };
}
