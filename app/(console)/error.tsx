"use client";
import { PageError } from "@/components/shell/PageError";

/**
 * Any console page that fails to render: a plain message, the error reference and a retry, inside
 * the console. "Try again" loads the page afresh from the server (a full load: the failed render
 * may have left the client router's copy of the page unusable).
 */
export default function ConsoleError({ error }: { error: Error & { digest?: string } }) {
  return <PageError digest={error.digest} onRetry={() => window.location.reload()} />;
}
