import Link from "next/link";

export default function Forbidden() {
  return (
    <main className="mx-auto max-w-lg p-10 text-center">
      <h1 className="text-2xl font-semibold">403 — not allowed</h1>
      <p className="mt-2 text-slate-600 dark:text-slate-400">Your role does not give access to this page. The attempt was recorded in the audit trail.</p>
      <Link href="/" className="mt-4 inline-block text-brand-600 hover:underline">
        Back to the overview
      </Link>
    </main>
  );
}
