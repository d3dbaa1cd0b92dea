"use client";
import { useEffect } from "react";
import { useRouter } from "next/navigation";

/** Re-render the server page every `seconds` while `active` (live delivery states). */
export function AutoRefresh({ active, seconds = 2 }: { active: boolean; seconds?: number }) {
  const router = useRouter();
  useEffect(() => {
    if (!active) return;
    const t = setInterval(() => router.refresh(), seconds * 1000);
    return () => clearInterval(t);
  }, [active, seconds, router]);
  return active ? (
    <span className="text-xs text-slate-500" aria-live="polite">
      Live — refreshing every {seconds}s
    </span>
  ) : null;
}
