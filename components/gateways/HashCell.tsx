"use client";
import { useState } from "react";

/** A SHA-256 shown short (full on hover), with a button that copies the full value. */
export function HashCell({ hash }: { hash?: string | null }) {
  const [copied, setCopied] = useState(false);
  if (!hash) return <span className="text-xs text-slate-500">not reported</span>;
  async function onCopy() {
    try {
      await navigator.clipboard.writeText(hash!);
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    } catch {
      setCopied(false);
    }
  }
  return (
    <span className="inline-flex items-center gap-1 whitespace-nowrap">
      <code title={hash} data-hash={hash} className="text-xs">
        {hash.slice(0, 12)}…
      </code>
      <button type="button" onClick={onCopy} className="text-xs text-brand-600 hover:underline" aria-label={`Copy hash ${hash}`}>
        {copied ? "copied" : "copy"}
      </button>
    </span>
  );
}
