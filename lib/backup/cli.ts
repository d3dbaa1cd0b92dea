import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import { dataDir, migrate, type ResolvedDatabase } from "@/scripts/lib/runtime.mjs";
import { createBackup, defaultBackupName } from "./backup";
import { RestoreError, restoreBackup } from "./restore";
import { envVars, settings, withEnvVars } from "@/lib/env";

/*
 * The `backup` and `restore` commands of scripts/cli.ts. Both run as the owner role. Output: one
 * JSON line on stdout (what was written or restored), notes on stderr; exit 1 on failure with a
 * message that says what to do.
 */

/** The WARDEN_SECRET the restored Warden will run with, if known here (env, else the data folder's). */
function knownSecret(embedded: boolean): string | null {
  const given = settings.secretIfSet();
  if (given) return given;
  if (!embedded) return null;
  try {
    return fs.readFileSync(path.join(dataDir(), "secret"), "utf8").trim() || null;
  } catch {
    return null;
  }
}

/**
 * Whether the restored sealed secrets open with `secret` (tried on Warden's sealed signing key):
 * true, false, or null when there is nothing sealed to try.
 */
async function sealedSecretsOpen(ownerUrl: string, appUrl: string, secret: string): Promise<boolean | null> {
  const c = new pg.Client({ connectionString: ownerUrl });
  await c.connect();
  let sealed: string | undefined;
  try {
    sealed = (await c.query("select value->>'privateKeyEnc' as v from settings where key = 'warden_signing_key'")).rows[0]?.v;
  } finally {
    await c.end().catch(() => {});
  }
  if (!sealed) return null;
  // lib/env parses the whole environment, which needs the app's database URL.
  return withEnvVars({ WARDEN_SECRET: secret, ...(envVars().DATABASE_URL ? {} : { DATABASE_URL: appUrl }) }, async () => {
    try {
      const { unseal } = await import("@/lib/crypto");
      unseal(sealed);
      return true;
    } catch {
      return false;
    }
  });
}

/** A path as the user typed it: relative to the folder `npm run` was started in (npm runs scripts from the package root). */
function userPath(p: string): string {
  return path.resolve(settings.invocationDir(), p);
}

/** Run `backup` or `restore`; returns the exit code. */
export async function runBackupCommand(command: "backup" | "restore", opts: { out?: string; from?: string }, db: ResolvedDatabase): Promise<number> {
  if (command === "backup") {
    try {
      const res = await createBackup(db.ownerUrl, userPath(opts.out ?? defaultBackupName()));
      console.log(JSON.stringify(res));
      console.error(
        `backup written to ${res.file} (mode 0600): ${res.rows} rows in ${res.tables} tables, ${res.auditEvents} audit events. ` +
          "It holds the database's sealed secrets, readable only with this installation's WARDEN_SECRET, which is not in the file: keep that secret apart from the backups.",
      );
      return 0;
    } catch (err) {
      console.error(`error: backup failed: ${(err as Error).message}`);
      return 1;
    }
  }

  const from = userPath(opts.from!);
  let res;
  try {
    res = await restoreBackup(db.ownerUrl, from);
  } catch (err) {
    if (err instanceof RestoreError) {
      console.error(`error: restore refused: ${err.message}`);
      return 1;
    }
    console.error(`error: restore failed, nothing was restored: ${(err as Error).message}`);
    return 1;
  }
  // Migrations newer than the backup's, and the app role's rights on everything restored.
  await migrate(db.ownerUrl, { appRole: db.appRole, appUrl: db.url });
  console.log(JSON.stringify({ ok: true, ...res }));
  console.error(`restored ${res.rows} rows in ${res.tables} tables from the backup of ${res.createdAt}; the audit chain verifies (${res.auditEvents} events).`);
  const secret = knownSecret(db.embedded);
  const opens = secret ? await sealedSecretsOpen(db.ownerUrl, db.url, secret) : null;
  if (opens === false) {
    console.error("warning: the backup's sealed secrets do not open with this WARDEN_SECRET: start Warden with the WARDEN_SECRET of the installation the backup came from (docs/operations.md).");
  } else if (opens === null && !secret) {
    console.error(
      `note: start Warden with the WARDEN_SECRET of the installation the backup came from (set WARDEN_SECRET${db.embedded ? `, or copy its data folder's \`secret\` file to ${path.join(dataDir(), "secret")}` : ""}); ` +
        "with another secret, gateway secrets, webhook secrets and Warden's signing key do not open.",
    );
  }
  console.error("To check the restored trail against your audit checkpoints: npm run warden -- audit verify --checkpoints <your checkpoint file>");
  return 0;
}
