import { defineConfig } from "vitest/config";
import os from "node:os";
import path from "node:path";

export default defineConfig({
  resolve: {
    alias: {
      "@": path.resolve(__dirname),
      // Outside Next, "server-only" would throw on import; tests are server code by definition.
      "server-only": path.resolve(__dirname, "test/server-only-stub.ts"),
    },
  },
  test: {
    include: ["lib/**/*.test.ts", "scripts/**/*.test.ts", "bench/**/*.test.ts", "components/**/*.test.ts"],
    environment: "node",
    globalSetup: ["test/global-setup.ts"],
    setupFiles: ["test/per-file-db.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    // Vitest's default is one worker less than the cores: one worker on the 2-core CI machine. The
    // files wait on Postgres, spawned replicas and gateways more than they compute (each has its
    // own database), so at least three run at once: 501 s → 261 s for the whole suite on 2 cores,
    // twice, no failure.
    maxWorkers: Math.max(3, os.availableParallelism() - 1),
  },
});
