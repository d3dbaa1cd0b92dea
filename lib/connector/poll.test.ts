import { getEventListeners } from "node:events";
import { describe, expect, it } from "vitest";
import { shutdownSignal } from "@/lib/shutdown";
import { makeGateway } from "@/test/factories";
import { pollCommands } from "@/lib/outbox/commands";

describe("long-poll signals", () => {
  it("a client that goes away ends a parked poll, and no poll leaves a listener on the process-long shutdown signal", async () => {
    const gw = await makeGateway();
    const before = getEventListeners(shutdownSignal(), "abort").length;

    // Parked (nothing pending), then the client disconnects: the poll answers well before its 20 s.
    const client = new AbortController();
    const parked = pollCommands(gw.id, 20, client.signal);
    await new Promise((r) => setTimeout(r, 200));
    expect(getEventListeners(shutdownSignal(), "abort").length).toBe(before + 1);
    client.abort();
    expect(await parked).toEqual([]);

    // Polls that end on their own (deadline 0), with and without a request signal.
    for (let i = 0; i < 20; i++) await pollCommands(gw.id, 0, new AbortController().signal);
    await pollCommands(gw.id, 0);
    expect(getEventListeners(shutdownSignal(), "abort").length).toBe(before);
  });
});
