import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { ROOT } from "@/scripts/lib/runtime.mjs";

const exec = promisify(execFile);

export type CliResult = { code: number; stdout: string; stderr: string };

/**
 * The README's admin CLI exactly as a user types it, `npm run warden -- …args`, with only the
 * database settings given in `env` (the test process's DATABASE_URL, owner URL and checkpoint file
 * are not inherited). Never throws: a failing command is its exit code and output.
 */
export async function wardenCli(args: string[], env: Record<string, string>): Promise<CliResult> {
  const base: Record<string, string | undefined> = {
    ...process.env,
    DATABASE_URL: undefined,
    WARDEN_MIGRATE_DATABASE_URL: undefined,
    TEST_OWNER_DATABASE_URL: undefined,
    WARDEN_AUDIT_CHECKPOINT_FILE: "off",
    ...env,
  };
  const clean = Object.fromEntries(Object.entries(base).filter(([, v]) => v !== undefined)) as NodeJS.ProcessEnv;
  try {
    const { stdout, stderr } = await exec("npm", ["run", "warden", "--", ...args], { cwd: ROOT, env: clean, timeout: 180_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
