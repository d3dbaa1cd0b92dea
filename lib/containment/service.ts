import "server-only";
import type { Tx } from "@/lib/db";
import type { Actor } from "@/lib/auth/actor";
import type { ContainmentInput } from "./types";

/**
 * Create a containment action inside the caller's transaction: resolve the target, snapshot the
 * blast radius, write the outbox rows (one per affected gateway), audit, notify and append to the
 * incident timeline. Used by the kill-switch UI/API, playbook triggers and the spend breaker.
 */
export async function containInTx(tx: Tx, actor: Actor, input: ContainmentInput): Promise<{ id: string; gateways: number }> {
  // STUB — being implemented now.
  void tx; void actor; void input;
  throw new Error("not implemented yet");
}
