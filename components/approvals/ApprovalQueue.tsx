"use client";
import { useEffect, useRef, useState } from "react";
import { useRouter } from "next/navigation";
import { EmptyState } from "@/components/ui/Card";
import { ApprovalCard } from "./ApprovalCard";
import type { ApprovalItem, ServerAction } from "./types";

const POLL_MS = 2_000;
const URL = "/api/v1/approvals?status=pending&recentCalls=1";

/**
 * The live queue: polls the approvals API every 2 s with If-None-Match (an unchanged queue is a
 * 304 with no body), so new requests appear and decided ones leave without a reload; a 1 s tick
 * moves the countdowns, on Warden's clock (the offset comes from each answer's `now`).
 */
export function ApprovalQueue({ initial, serverNow, decide }: { initial: ApprovalItem[]; serverNow: string; decide: ServerAction | null }) {
  const router = useRouter();
  const [items, setItems] = useState(initial);
  const [skew, setSkew] = useState(() => Date.parse(serverNow) - Date.now());
  const [now, setNow] = useState(() => Date.now());
  const [notice, setNotice] = useState<string | null>(null);
  const etag = useRef<string | null>(null);
  const current = useRef(initial);
  useEffect(() => {
    current.current = items;
  }, [items]);

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const res = await fetch(URL, { headers: etag.current ? { "if-none-match": etag.current } : {}, cache: "no-store" });
        if (res.status === 200) {
          etag.current = res.headers.get("etag");
          const body = (await res.json()) as { data: ApprovalItem[]; now: string };
          setSkew(Date.parse(body.now) - Date.now());
          // Someone decided (here or elsewhere): refresh the server-rendered "recently decided" list.
          const gone = current.current.some((b) => !body.data.some((d) => d.id === b.id));
          setItems(body.data);
          if (gone) router.refresh();
        }
      } catch {
        // offline for a moment: try again at the next tick
      }
      if (!stopped) timer = setTimeout(poll, POLL_MS);
    };
    timer = setTimeout(poll, POLL_MS);
    const tick = setInterval(() => setNow(Date.now()), 1_000);
    return () => {
      stopped = true;
      clearTimeout(timer);
      clearInterval(tick);
    };
  }, [router]);

  const onDecided = (id: string) => (ok: boolean, message: string) => {
    setNotice(message);
    if (ok) setItems((xs) => xs.filter((x) => x.id !== id));
    router.refresh();
  };

  return (
    <section className="space-y-4" aria-label="Waiting for approval" aria-live="polite">
      {notice && (
        <p role="status" className="text-sm text-slate-700 dark:text-slate-300">
          {notice}
        </p>
      )}
      {items.length === 0 ? (
        <EmptyState title="No call is waiting for approval">New requests appear here as they arrive.</EmptyState>
      ) : (
        items.map((item) => <ApprovalCard key={item.id} item={item} nowMs={now + skew} decide={decide} onDecided={onDecided(item.id)} />)
      )}
    </section>
  );
}
