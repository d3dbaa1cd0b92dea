/**
 * A second "replica" for lib/evidence/runner.test.ts: claims waiting evidence exports as the owner
 * given in argv[2] and builds them (slowed down by WARDEN_EXPORT_STEP_DELAY_MS), printing
 * "claimed <id>" for each, until it is killed. Run with tsx --conditions=react-server.
 */
import { ExportRunner } from "@/lib/evidence/runner";

async function main() {
  const runner = new ExportRunner({ owner: process.argv[2], slots: 1 });
  const ids = await runner.runPending();
  for (const id of ids) console.log(`claimed ${id}`);
  await runner.idle();
  console.log("idle");
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
