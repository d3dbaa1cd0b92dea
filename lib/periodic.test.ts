import { describe, expect, it } from "vitest";
import { startPeriodic } from "./periodic";

describe("startPeriodic", () => {
  it("runs at once and then on every tick, never two runs at the same time, and a second start is a no-op", async () => {
    let runs = 0;
    let concurrent = 0;
    let maxConcurrent = 0;
    const job = async () => {
      runs++;
      concurrent++;
      maxConcurrent = Math.max(maxConcurrent, concurrent);
      await new Promise((r) => setTimeout(r, 35)); // slower than the tick
      concurrent--;
    };
    const stop = startPeriodic("test job", 10, job);
    const again = startPeriodic("test job", 10, job);
    await new Promise((r) => setTimeout(r, 200));
    stop();
    again();
    const after = runs;
    await new Promise((r) => setTimeout(r, 60));
    expect(runs).toBeGreaterThanOrEqual(3);
    expect(maxConcurrent).toBe(1);
    expect(runs - after).toBeLessThanOrEqual(1); // stopped (a run already under way may finish)
  });

  it("keeps going after a failed run", async () => {
    let runs = 0;
    const stop = startPeriodic("failing job", 10, async () => {
      runs++;
      throw new Error("boom");
    });
    await new Promise((r) => setTimeout(r, 80));
    stop();
    expect(runs).toBeGreaterThanOrEqual(3);
  });
});
