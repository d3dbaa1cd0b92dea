import "server-only";
import { cookies } from "next/headers";
import { env } from "@/lib/env";

/** The cookie a test sets on its own browser context: `<point>:fail` or `<point>:slow:<ms>`, separated by `|`. */
export const FAULT_COOKIE = "warden-test-fault";
const MAX_DELAY_MS = 15_000;

/**
 * Tests only: when WARDEN_TEST_FAULTS=1 (the e2e server; never set in production, off by default),
 * the request's fault cookie can make one point of a page (a dashboard card, the page itself) fail
 * or answer late, so a spec can show that a failing card stays in its card and a slow one does not
 * hold the page. Without the setting this returns at once and reads nothing.
 */
export async function injectFault(point: string): Promise<void> {
  if (env().WARDEN_TEST_FAULTS !== "1") return;
  const raw = (await cookies()).get(FAULT_COOKIE)?.value;
  if (!raw) return;
  for (const entry of raw.split("|")) {
    const [name, what = "", ms = ""] = entry.split(":");
    if (name !== point) continue;
    if (what === "fail") throw new Error(`Injected test fault at ${point}`);
    const slow = what === "slow" ? /^(\d{1,5})$/.exec(ms) : null;
    if (slow) await new Promise((r) => setTimeout(r, Math.min(Number(slow[1]), MAX_DELAY_MS)));
  }
}
