import fs from "node:fs";
import path from "node:path";

/**
 * One real OpenClaw gateway at a time across Playwright workers. A gateway takes ~1.3 GB and most
 * of a core while it starts and runs agent turns: two at once on a 2-core CI machine starve each
 * other (seen: the admin-WebSocket containment path timing out). The lock is a file holding the
 * worker's pid, in the e2e run's folder (wiped at every run); a dead holder's lock is taken over.
 */
export async function acquireGatewayLock(): Promise<() => void> {
  const file = path.join(__dirname, "..", ".warden-e2e", "openclaw-gateway.lock");
  const mine = String(process.pid);
  for (;;) {
    try {
      fs.writeFileSync(file, mine, { flag: "wx" });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const holder = Number(fs.readFileSync(file, "utf8").trim() || "0");
      if (!alive(holder)) fs.rmSync(file, { force: true });
      else await new Promise((r) => setTimeout(r, 1000));
    }
  }
  return () => {
    try {
      if (fs.readFileSync(file, "utf8").trim() === mine) fs.rmSync(file, { force: true });
    } catch {
      // already gone
    }
  };
}

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
