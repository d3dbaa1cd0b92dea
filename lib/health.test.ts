import { expect, it } from "vitest";

// Point this file's client at a port where nothing listens, before lib/db is first imported.
process.env.DATABASE_URL = "postgresql://nobody:nothing@127.0.0.1:1/none";

it("GET /api/health answers 503 when the database is down", async () => {
  const { GET } = await import("@/app/api/health/route");
  const res = await GET();
  expect(res.status).toBe(503);
  expect(await res.json()).toMatchObject({ status: "degraded", db: "down" });
});
