import { describe, expect, it } from "vitest";
import { backgroundIdle, runInBackground } from "./background";

const later = <T>(ms: number, value: T, fail = false) => new Promise<T>((resolve, reject) => setTimeout(() => (fail ? reject(new Error("boom")) : resolve(value)), ms));

describe("background work", () => {
  it("waits for running work, for work started meanwhile, and ignores failures", async () => {
    const done: string[] = [];
    runInBackground(later(30, "a").then((v) => done.push(v)));
    runInBackground(later(10, "b", true));
    // Started by the first piece of work while backgroundIdle() is already waiting.
    runInBackground(
      later(20, "c").then((v) => {
        done.push(v);
        runInBackground(later(30, "d").then((w) => done.push(w)));
      }),
    );
    await backgroundIdle();
    expect(done.sort()).toEqual(["a", "c", "d"]);
  });

  it("resolves when nothing runs", async () => {
    await expect(Promise.race([backgroundIdle().then(() => "idle"), later(1000, "still waiting")])).resolves.toBe("idle");
  });
});
