import { defineConfig } from "prisma/config";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";

// Prisma 6.19 with the JS schema engine: migrations run through the pg driver adapter, so no
// native engine binary is ever downloaded (air-gapped installs work).

// The schema engine reads catalog columns of Postgres' `name` type, which @prisma/adapter-pg
// 6.19 cannot map ("Column type 'name' could not be deserialized", prisma/orm#27403). Present
// them as text (name → text, name[] → text[]) for the migration tooling only.
const NAME_OIDS: Record<number, number> = { 19: 25, 1003: 1009 };
type Result = { fields?: { dataTypeID: number }[] };
function asText<T>(res: T): T {
  for (const f of (res as Result | undefined)?.fields ?? []) f.dataTypeID = NAME_OIDS[f.dataTypeID] ?? f.dataTypeID;
  return res;
}
function patch<C extends { query: (...a: never[]) => unknown }>(client: C): C {
  const marked = client as C & { __wardenNameAsText?: boolean };
  if (marked.__wardenNameAsText) return client;
  const query = client.query.bind(client) as (...a: unknown[]) => unknown;
  (client as { query: unknown }).query = (...args: unknown[]) => {
    const r = query(...args);
    return r && typeof (r as Promise<unknown>).then === "function" ? (r as Promise<unknown>).then(asText) : r;
  };
  marked.__wardenNameAsText = true;
  return client;
}
class CatalogFriendlyPool extends pg.Pool {
  override async connect(): Promise<pg.PoolClient>;
  override async connect(...args: unknown[]): Promise<pg.PoolClient | void> {
    if (args.length) return (super.connect as (...a: unknown[]) => void)(...args);
    return patch(await super.connect());
  }
}

export default defineConfig({
  experimental: { adapter: true },
  schema: "prisma/schema.prisma",
  engine: "js",
  async adapter() {
    const connectionString = process.env.DATABASE_URL;
    if (!connectionString) throw new Error("DATABASE_URL is not set (use `npm run db:migrate`, which starts the embedded database)");
    const pool = patch(new CatalogFriendlyPool({ connectionString, max: 2 }));
    const factory = new PrismaPg(pool);
    // adapter-pg splits migration scripts on every ";", which breaks function bodies ($$ … $$).
    // Send each migration as one multi-statement simple query instead (atomic, as Postgres runs it).
    const connect = factory.connect.bind(factory);
    factory.connect = async () => {
      const adapter = await connect();
      const withErrors = adapter as unknown as { onError(e: unknown): never };
      adapter.executeScript = async (script: string) => {
        try {
          await pool.query(script);
        } catch (error) {
          withErrors.onError(error);
        }
      };
      return adapter;
    };
    return factory;
  },
});
