import { describe, expect, it } from "vitest";
import { grouped } from "./db-group";

describe("grouped (group commit of small statements)", () => {
  it("runs the first call alone, then everything queued meanwhile together, in order", async () => {
    const groups: number[][] = [];
    let release: () => void = () => {};
    const run = grouped(async (items: number[]) => {
      groups.push(items);
      if (groups.length === 1) await new Promise<void>((r) => (release = r)); // the first group is slow
      return items.map((i) => i * 10);
    });
    const first = run(1);
    const rest = [2, 3, 4].map((i) => run(i));
    release();
    expect(await first).toBe(10);
    expect(await Promise.all(rest)).toEqual([20, 30, 40]);
    expect(groups).toEqual([[1], [2, 3, 4]]);
    // Idle again: the next call runs at once, alone.
    expect(await run(5)).toBe(50);
    expect(groups.at(-1)).toEqual([5]);
  });

  it("fails every call of a failing group, and only that group", async () => {
    const run = grouped(async (items: string[]) => {
      if (items.includes("bad")) throw new Error("statement failed");
      return items.map((s) => s.toUpperCase());
    });
    const results = await Promise.allSettled([run("a"), run("bad"), run("c")]);
    expect(results[0]).toEqual({ status: "fulfilled", value: "A" });
    expect(results[1]).toMatchObject({ status: "rejected", reason: { message: "statement failed" } });
    expect(results[2]).toMatchObject({ status: "rejected" }); // grouped with "bad"
    expect(await run("d")).toBe("D");
  });

  it("caps a group at `max` items", async () => {
    const sizes: number[] = [];
    const run = grouped(async (items: number[]) => {
      sizes.push(items.length);
      await new Promise((r) => setTimeout(r, 5));
      return items;
    }, 3);
    await Promise.all(Array.from({ length: 8 }, (_, i) => run(i)));
    expect(sizes).toEqual([1, 3, 3, 1]);
  });
});
