"use client";
import Link from "next/link";
import "./globals.css";

/**
 * The last boundary: an error in the root layout itself. It replaces the whole document, so it
 * brings its own <html> and <body>. A plain message, the error reference, a retry; never the
 * message or a stack.
 */
export default function GlobalError({ error, reset, retry }: { error: Error & { digest?: string }; reset: () => void; retry?: () => void }) {
  return (
    <html lang="en">
      <body className="min-h-screen antialiased">
        <main role="alert" className="mx-auto mt-16 max-w-xl p-8">
          <h1 className="text-xl font-semibold">Warden could not load this page</h1>
          <p className="mt-2 text-sm text-slate-700">Something went wrong on the server. Nothing was changed. Try again; if it keeps failing, give an administrator the reference below.</p>
          {error.digest && (
            <p className="mt-3 text-sm">
              Error reference: <code>{error.digest}</code>
            </p>
          )}
          <div className="mt-5 flex gap-3">
            <button type="button" onClick={retry ?? reset} className="rounded-md bg-slate-900 px-3 py-2 text-sm font-medium text-white">
              Try again
            </button>
            <Link href="/" className="rounded-md border border-slate-300 px-3 py-2 text-sm font-medium">
              Back to the overview
            </Link>
          </div>
        </main>
      </body>
    </html>
  );
}
