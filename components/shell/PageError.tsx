"use client";
import { useEffect, useRef } from "react";
import Link from "next/link";

/**
 * The page a console user sees when a page fails on the server: what happened in plain words,
 * the error reference (the digest Next.js logs with the error on the server), a retry and a way
 * back. The error's message and stack never reach the browser (Next.js withholds them in
 * production), so none is shown.
 */
export function PageError({ digest, onRetry }: { digest?: string; onRetry: () => void }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  return (
    <section role="alert" data-page-error className="mx-auto mt-10 max-w-xl rounded-xl border border-red-200 bg-white p-8 shadow-sm dark:border-red-900 dark:bg-slate-900">
      <h1 ref={heading} tabIndex={-1} className="text-xl font-semibold outline-none">
        This page could not be loaded
      </h1>
      <p className="mt-2 text-sm text-slate-700 dark:text-slate-300">
        Something went wrong on the server while preparing it. Nothing was changed. Try again; if it keeps failing, give an administrator the reference below so they can find the error in the server
        log.
      </p>
      {digest && (
        <p className="mt-3 text-sm">
          Error reference: <code className="rounded bg-slate-100 px-1.5 py-0.5 dark:bg-slate-800">{digest}</code>
        </p>
      )}
      <div className="mt-5 flex flex-wrap gap-3">
        <button type="button" onClick={onRetry} className="rounded-md bg-brand-600 px-3 py-2 text-sm font-medium text-white hover:bg-brand-700">
          Try again
        </button>
        <Link href="/" className="rounded-md border border-slate-300 px-3 py-2 text-sm font-medium hover:bg-slate-50 dark:border-slate-700 dark:hover:bg-slate-800">
          Back to the overview
        </Link>
      </div>
    </section>
  );
}
