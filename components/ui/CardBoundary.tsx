"use client";
import { Component, startTransition, type ReactNode } from "react";
import { useRouter } from "next/navigation";

type Props = { title: string; children: ReactNode; onRetry: () => void };
type State = { error: (Error & { digest?: string }) | null };

class Boundary extends Component<Props, State> {
  state: State = { error: null };

  static getDerivedStateFromError(error: Error): State {
    return { error };
  }

  render() {
    const { error } = this.state;
    if (!error) return this.props.children;
    return (
      <CardError
        title={this.props.title}
        digest={error.digest}
        onRetry={() =>
          // One transition: the card renders again only once the refreshed server payload is in,
          // not from the payload that failed.
          startTransition(() => {
            this.props.onRetry();
            this.setState({ error: null });
          })
        }
      />
    );
  }
}

/** What a card shows when its data could not be loaded: its title, a short message, the error reference and a retry. */
export function CardError({ title, digest, onRetry }: { title: string; digest?: string; onRetry?: () => void }) {
  return (
    <section role="alert" data-card-error className="rounded-xl border border-red-200 bg-white p-5 shadow-sm dark:border-red-900 dark:bg-slate-900">
      <h2 className="text-base font-semibold">{title}</h2>
      <p className="mt-2 text-sm text-slate-700 dark:text-slate-300">This card could not be loaded. The rest of the page is up to date.</p>
      {digest && (
        <p className="mt-1 text-xs text-slate-500">
          Error reference: <code>{digest}</code> (in the server log)
        </p>
      )}
      {onRetry && (
        <button type="button" onClick={onRetry} className="mt-3 rounded-md border border-slate-300 px-3 py-1.5 text-sm font-medium hover:bg-slate-50 dark:border-slate-700 dark:hover:bg-slate-800">
          Try again
        </button>
      )}
    </section>
  );
}

/**
 * An error boundary around one dashboard card: a card whose server component throws shows an
 * error in its own place (with the digest the server logged, never the message or a stack) and
 * the rest of the page stays. "Try again" re-renders the page on the server.
 */
export function CardBoundary({ title, children }: { title: string; children: ReactNode }) {
  const router = useRouter();
  return (
    <Boundary title={title} onRetry={() => router.refresh()}>
      {children}
    </Boundary>
  );
}
