import type pg from "pg";

/*
 * What a backup covers, read from Postgres' catalog: every table of schema `public` (a partitioned
 * table as one, its partitions' rows included) except Prisma's migration ledger, their columns,
 * the foreign keys between them (the order rows can be loaded in), the sequences and the day
 * partitions of tool_calls. Backup and restore read the same description, so a restore only ever
 * names tables and columns the migrations made.
 */

export const LEDGER = "_prisma_migrations";

export type SchemaTable = { name: string; partitioned: boolean; columns: string[] };
export type SchemaInfo = {
  tables: SchemaTable[];
  /** child → the tables its foreign keys reference (self-references left out). */
  references: Map<string, Set<string>>;
  sequences: string[];
  partitions: string[];
};

/** Describe schema `public` as seen by `client` (inside its current transaction, if any). */
export async function describeSchema(client: pg.ClientBase): Promise<SchemaInfo> {
  const tables = (
    await client.query<{ name: string; partitioned: boolean; columns: string[] }>(
      `
    select c.relname::text as name, c.relkind = 'p' as partitioned,
           array(select a.attname::text from pg_attribute a
                 where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped and a.attgenerated = ''
                 order by a.attnum) as columns
    from pg_class c
    where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p') and not c.relispartition and c.relname <> $1
    order by c.relname`,
      [LEDGER],
    )
  ).rows;
  const fks = (
    await client.query<{ child: string; parent: string }>(`
    select distinct c.relname::text as child, p.relname::text as parent
    from pg_constraint k join pg_class c on c.oid = k.conrelid join pg_class p on p.oid = k.confrelid
    where k.contype = 'f' and c.relnamespace = 'public'::regnamespace and not c.relispartition and k.conparentid = 0`)
  ).rows;
  const references = new Map<string, Set<string>>();
  for (const { child, parent } of fks) {
    if (child === parent) continue;
    if (!references.has(child)) references.set(child, new Set());
    references.get(child)!.add(parent);
  }
  const sequences = (
    await client.query<{ name: string }>(`
    select c.relname::text as name from pg_class c
    where c.relnamespace = 'public'::regnamespace and c.relkind = 'S' order by 1`)
  ).rows.map((r) => r.name);
  const partitions = (
    await client.query<{ name: string }>(`
    select c.relname::text as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
    where i.inhparent = to_regclass('public.tool_calls') and c.relname ~ '^tool_calls_[0-9]{8}$' order by 1`)
  ).rows.map((r) => r.name);
  return { tables, references, sequences, partitions };
}

/** The tables in an order where every table comes after those it references (throws on a cycle). */
export function loadOrder(schema: SchemaInfo): string[] {
  const done = new Set<string>();
  const visiting = new Set<string>();
  const order: string[] = [];
  const visit = (t: string) => {
    if (done.has(t)) return;
    if (visiting.has(t)) throw new Error(`foreign keys form a cycle through ${t}: no load order`);
    visiting.add(t);
    for (const p of [...(schema.references.get(t) ?? [])].sort()) visit(p);
    visiting.delete(t);
    done.add(t);
    order.push(t);
  };
  for (const t of schema.tables.map((x) => x.name).sort()) visit(t);
  return order;
}
