export type ActionResult<T = unknown> =
  | { ok: true; data: T }
  | { ok: false; status: number; code: string; error: string; fieldErrors?: Record<string, string[]> };
export type ServerAction = (raw: unknown) => Promise<ActionResult<unknown>>;
