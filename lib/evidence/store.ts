import "server-only";
import fs from "node:fs/promises";
import path from "node:path";
import { randomBytes } from "node:crypto";
import type { ExportStatus } from "./schema";

/** A running export whose status has not moved for this long was cut short (e.g. a restart). */
export const STALE_AFTER_MS = 5 * 60_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Exports live on disk, not in the database (the schema has no table for them): the data folder
 * as scripts/lib/runtime.mjs chooses it (WARDEN_DATA_DIR, else ./.warden), then exports/<id>/.
 */
export function exportsDir(): string {
  return path.join(path.resolve(process.env.WARDEN_DATA_DIR || path.join(process.cwd(), ".warden")), "exports");
}

/** The folder of one export; the id is checked to be a UUID, so it can never walk out of exportsDir. */
export function exportDir(id: string): string {
  if (!UUID.test(id)) throw new Error("invalid export id");
  return path.join(exportsDir(), id.toLowerCase());
}

/** Write status.json atomically (temp file + rename), so readers never see half a file. */
export async function writeStatus(status: ExportStatus): Promise<void> {
  const dir = exportDir(status.id);
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const tmp = path.join(dir, `.status.${randomBytes(4).toString("hex")}.tmp`);
  await fs.writeFile(tmp, JSON.stringify(status, null, 2), { mode: 0o600 });
  await fs.rename(tmp, path.join(dir, "status.json"));
}

/** Mark a long-silent running export as failed when read (its process is gone). */
function settle(s: ExportStatus, now = Date.now()): ExportStatus {
  if (s.state === "running" && now - Date.parse(s.updatedAt) > STALE_AFTER_MS) {
    return { ...s, state: "failed", error: s.error ?? "Interrupted: the export stopped making progress (was the server restarted?). Start it again." };
  }
  return s;
}

/** One export's status, or null when there is no such export. `raw` skips the staleness rule. */
export async function readStatus(id: string, opts: { raw?: boolean } = {}): Promise<ExportStatus | null> {
  if (!UUID.test(id)) return null;
  try {
    const s = JSON.parse(await fs.readFile(path.join(exportDir(id), "status.json"), "utf8")) as ExportStatus;
    return opts.raw ? s : settle(s);
  } catch {
    return null;
  }
}

/** Every export on disk, newest first. */
export async function listStatuses(opts: { raw?: boolean } = {}): Promise<ExportStatus[]> {
  let names: string[];
  try {
    names = await fs.readdir(exportsDir());
  } catch {
    return [];
  }
  const all = await Promise.all(names.filter((n) => UUID.test(n)).map((n) => readStatus(n, opts)));
  return all.filter((s): s is ExportStatus => s !== null).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

/** The finished bundle's path, or null while it is not ready. */
export async function bundlePath(status: ExportStatus): Promise<string | null> {
  if (status.state !== "done" || !status.fileName) return null;
  const file = path.join(exportDir(status.id), path.basename(status.fileName));
  try {
    await fs.access(file);
    return file;
  } catch {
    return null;
  }
}
