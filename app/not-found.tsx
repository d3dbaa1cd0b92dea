import Link from "next/link";
import { connection } from "next/server";

/**
 * Rendered per request, not prerendered: the page's scripts then carry the request's CSP nonce
 * (proxy.ts). A prerendered 404 had none, so the browser refused them and logged a console error
 * for each.
 */
export default async function NotFound() {
  await connection();
  return (
    <main className="mx-auto max-w-lg p-10 text-center">
      <h1 className="text-2xl font-semibold">Not found</h1>
      <p className="mt-2 text-slate-600 dark:text-slate-400">There is nothing at this address.</p>
      <Link href="/" className="mt-4 inline-block text-brand-600 hover:underline">
        Back to the overview
      </Link>
    </main>
  );
}
