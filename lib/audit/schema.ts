import { z } from "zod";
import { AppError } from "@/lib/errors";
import { parseCheckpoint, parseCheckpointLine, type CheckpointEntry } from "./checkpoint-format";

/** The largest body POST /api/v1/audit/verify reads (about 25,000 checkpoints; the newest one alone vouches for every row before it). */
export const MAX_VERIFY_BODY_BYTES = 8 * 1024 * 1024;
const MAX_GIVEN = 50_000;
const MAX_ERRORS = 20;

/** What `audit verify` is asked to check: checkpoints (an array, or the text of a checkpoint file) and whether to add the server's file. */
export const ZAuditVerifyInput = z.strictObject({
  checkpoints: z.union([z.array(z.unknown()).max(MAX_GIVEN, `At most ${MAX_GIVEN} checkpoints.`), z.string().max(MAX_VERIFY_BODY_BYTES)]).optional(),
  serverFile: z.boolean().default(true),
});
export type TAuditVerifyInput = z.infer<typeof ZAuditVerifyInput>;

/**
 * The checkpoints a caller gave, each checked to be a well-formed checkpoint (signatures are
 * checked by the verification). Anything malformed is a 400 naming the entries or lines.
 */
export function parseGivenCheckpoints(input: TAuditVerifyInput, source = "given"): CheckpointEntry[] {
  const given = input.checkpoints;
  if (given === undefined) return [];
  const entries: CheckpointEntry[] = [];
  const errors: Record<string, string[]> = {};
  let bad = 0;
  const fail = (key: string, message: string) => {
    if (++bad <= MAX_ERRORS) (errors[key] ??= []).push(message);
  };
  if (typeof given === "string") {
    const lines = given.split(/\r?\n/);
    if (lines.length > MAX_GIVEN + 1) throw new AppError("invalid", "Some fields are not valid.", { checkpoints: [`At most ${MAX_GIVEN} checkpoints.`] });
    lines.forEach((text, i) => {
      if (!text.trim()) return;
      const parsed = parseCheckpointLine(text.trim());
      if (parsed.ok) entries.push({ source, line: i + 1, cp: parsed.cp });
      else fail("checkpoints", `line ${i + 1}: ${parsed.error}`);
    });
  } else {
    given.forEach((value, i) => {
      const parsed = parseCheckpoint(value);
      if (parsed.ok) entries.push({ source, line: i + 1, cp: parsed.cp });
      else fail(`checkpoints.${i}`, parsed.error);
    });
  }
  if (bad) throw new AppError("invalid", `${bad} of the checkpoints are not well-formed Warden checkpoints.`, errors);
  return entries;
}
