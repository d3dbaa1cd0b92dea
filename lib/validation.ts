import type { z } from "zod";

/** zod issues → { field: [messages] } with dotted paths; the same shape on client and server. */
export function fieldErrorsOf(error: z.ZodError): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const issue of error.issues) (out[issue.path.join(".") || "_"] ??= []).push(issue.message);
  return out;
}
