import Link from "next/link";

/** A record or page that does not exist, shown inside the console (with its navigation). */
export default function ConsoleNotFound() {
  return (
    <section className="mx-auto mt-10 max-w-xl rounded-xl border border-slate-200 bg-white p-8 text-center shadow-sm dark:border-slate-800 dark:bg-slate-900">
      <h1 className="text-xl font-semibold">Not found</h1>
      <p className="mt-2 text-sm text-slate-600 dark:text-slate-400">There is nothing here: the record may have been deleted, or the link is wrong. Use the navigation, or go back to the overview.</p>
      <Link href="/" className="mt-4 inline-block text-sm font-medium text-brand-600 hover:underline dark:text-brand-100">
        Back to the overview
      </Link>
    </section>
  );
}
