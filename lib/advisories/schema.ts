import semver from "semver";
import { z } from "zod";

export const ADVISORY_SEVERITIES = ["low", "medium", "high", "critical"] as const;
/** Products whose reported version Warden knows how to read (the inventory's `openclaw.version`). */
export const ADVISORY_PRODUCTS = ["openclaw"] as const;

/** A security advisory as a security lead records it; `versionRange` is a semver range (e.g. ">=2026.9.0 <2026.9.7"). */
export const ZAdvisoryCreate = z.object({
  product: z.enum(ADVISORY_PRODUCTS, { message: `One of: ${ADVISORY_PRODUCTS.join(", ")}.` }),
  versionRange: z
    .string({ message: "Required." })
    .trim()
    .min(1, "Required.")
    .max(200, "At most 200 characters.")
    .refine((r) => semver.validRange(r) !== null, "Not a version range semver can read (e.g. >=2026.9.0 <2026.9.7, or 2026.9.x)."),
  severity: z.enum(ADVISORY_SEVERITIES, { message: `One of: ${ADVISORY_SEVERITIES.join(", ")}.` }),
  title: z.string({ message: "Required." }).trim().min(3, "At least 3 characters.").max(200, "At most 200 characters."),
  url: z
    .string()
    .trim()
    .max(2000, "At most 2000 characters.")
    .refine((u) => {
      try {
        const p = new URL(u);
        return (p.protocol === "https:" || p.protocol === "http:") && !p.username && !p.password;
      } catch {
        return false;
      }
    }, "An http(s) link without credentials.")
    .optional()
    .or(z.literal("").transform(() => undefined)),
  note: z
    .string()
    .trim()
    .max(2000, "At most 2000 characters.")
    .optional()
    .or(z.literal("").transform(() => undefined)),
});
export type TAdvisoryCreate = z.infer<typeof ZAdvisoryCreate>;

export const ZAdvisoryDelete = z.object({ id: z.uuid("Not a valid id.") });
export type TAdvisoryDelete = z.infer<typeof ZAdvisoryDelete>;
