#!/usr/bin/env node
// `prisma generate` needs no database, but the schema's env("DATABASE_URL") must resolve:
// give it a placeholder when none is set (npm ci on a fresh machine).
import { bin, run } from "./lib/runtime.mjs";

const env = { ...process.env, DATABASE_URL: process.env.DATABASE_URL || "postgresql://generate:generate@127.0.0.1:1/generate" };
const res = await run(bin("prisma"), ["generate"], { env, quiet: true });
if (res.code !== 0) {
  console.error(res.out);
  process.exit(res.code);
}
console.log("[warden] Prisma client generated");
