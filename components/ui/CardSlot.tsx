import { Suspense, type ReactNode } from "react";
import { CardBoundary } from "./CardBoundary";

/** A placeholder of a card's size while its data loads. */
export function CardSkeleton({ title, lines = 3, className = "" }: { title: string; lines?: number; className?: string }) {
  return (
    <section aria-busy="true" data-card-skeleton className={`rounded-xl border border-slate-200 bg-white p-5 shadow-sm dark:border-slate-800 dark:bg-slate-900 ${className}`}>
      <h2 className="text-base font-semibold">{title}</h2>
      <span className="sr-only">Loading…</span>
      <div aria-hidden className="mt-4 space-y-3">
        {Array.from({ length: lines }, (_, i) => (
          <div key={i} className="h-4 animate-pulse rounded bg-slate-100 dark:bg-slate-800" style={{ width: `${90 - i * 15}%` }} />
        ))}
      </div>
    </section>
  );
}

/**
 * One dashboard card that loads on its own: its async server component streams in when its
 * queries finish (a skeleton until then), and an error in it stays in its place.
 */
export function CardSlot({ title, children, lines, className }: { title: string; children: ReactNode; lines?: number; className?: string }) {
  return (
    <CardBoundary title={title}>
      <Suspense fallback={<CardSkeleton title={title} lines={lines} className={className} />}>{children}</Suspense>
    </CardBoundary>
  );
}
