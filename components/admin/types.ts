import type { ActionResult } from "@/lib/action";

/** A server action as client components receive it (the result type is shared with the server). */
export type ServerAction = (raw: unknown) => Promise<ActionResult<unknown>>;
