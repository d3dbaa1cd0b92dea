"use client";
import { useEffect, useState } from "react";
import { useRouter } from "next/navigation";
import { ApprovalCard } from "./ApprovalCard";
import type { ApprovalItem, ServerAction } from "./types";

/** One approval (the page a webhook links to), its countdown ticking on Warden's clock. */
export function ApprovalDetail({ item, serverNow, decide }: { item: ApprovalItem; serverNow: string; decide: ServerAction | null }) {
  const router = useRouter();
  const [skew] = useState(() => Date.parse(serverNow) - Date.now());
  const [now, setNow] = useState(() => Date.now());
  const [notice, setNotice] = useState<string | null>(null);
  useEffect(() => {
    const tick = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(tick);
  }, []);
  return (
    <div className="space-y-3">
      {notice && (
        <p role="status" className="text-sm">
          {notice}
        </p>
      )}
      <ApprovalCard
        item={item}
        nowMs={now + skew}
        decide={decide}
        onDecided={(_ok, msg) => {
          setNotice(msg);
          router.refresh();
        }}
      />
    </div>
  );
}
