"use client";
import { PageError } from "@/components/shell/PageError";

/** Any console page that fails to render: a plain message, the error reference and a retry, inside the console. */
export default function ConsoleError({ error, reset, retry }: { error: Error & { digest?: string }; reset: () => void; retry?: () => void }) {
  return <PageError digest={error.digest} onRetry={retry ?? reset} />;
}
