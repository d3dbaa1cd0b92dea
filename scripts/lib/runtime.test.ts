import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { nextStart } from "./runtime.mjs";

describe("nextStart", () => {
  it("starts next with the long keep-alive and the given arguments", () => {
    const s = nextStart(["-p", "3999"], {});
    expect(s.command).toMatch(/node_modules\/\.bin\/next$/);
    expect(s.args).toEqual(["start", "--keepAliveTimeout", "65000", "-p", "3999"]);
  });

  it("adds its Node options to the caller's, and Node accepts them from NODE_OPTIONS", () => {
    const s = nextStart([], { NODE_OPTIONS: "--max-old-space-size=600", PATH: process.env.PATH });
    expect(s.env.NODE_OPTIONS).toBe("--max-old-space-size=600 --max-semi-space-size=32");
    // Node refuses to start when NODE_OPTIONS holds a flag it does not allow there (exit code 9).
    const child = spawnSync(process.execPath, ["-e", "console.log(require('v8').getHeapStatistics().heap_size_limit > 0 ? 'up' : 'no')"], { env: s.env, encoding: "utf8" });
    expect(child.stderr).toBe("");
    expect(child.status).toBe(0);
    expect(child.stdout.trim()).toBe("up");
  });
});
