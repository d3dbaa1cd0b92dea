"use client";
import Link from "next/link";
import { createContext, useCallback, useContext, useEffect, useRef, useState } from "react";

/**
 * Toasts: a short message after an action, with a link to what it created or changed. One
 * provider in the console layout; any client component calls `useToast()(…)`.
 *
 * The region is an aria-live container, not role="status", so a toast never collides with a
 * form's own status line; tests find toasts by `[data-toast]`.
 */
export type ToastInput = { text: string; tone?: "ok" | "error" | "info"; href?: string; linkLabel?: string; ms?: number };
type ToastItem = ToastInput & { id: number };

const ToastContext = createContext<(t: ToastInput) => void>(() => {});

export function useToast() {
  return useContext(ToastContext);
}

const TONES = {
  ok: "border-emerald-300 bg-emerald-50 text-emerald-900 dark:border-emerald-800 dark:bg-emerald-950 dark:text-emerald-100",
  error: "border-red-300 bg-red-50 text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100",
  info: "border-slate-300 bg-white text-slate-900 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100",
};

export function ToastProvider({ children }: { children: React.ReactNode }) {
  const [items, setItems] = useState<ToastItem[]>([]);
  const next = useRef(1);
  const timers = useRef(new Map<number, ReturnType<typeof setTimeout>>());
  const dismiss = useCallback((id: number) => {
    clearTimeout(timers.current.get(id));
    timers.current.delete(id);
    setItems((xs) => xs.filter((x) => x.id !== id));
  }, []);
  const push = useCallback(
    (t: ToastInput) => {
      const id = next.current++;
      setItems((xs) => [...xs.slice(-3), { ...t, id }]);
      // Errors and toasts with a link stay longer: the user may want to follow them.
      const ms = t.ms ?? (t.tone === "error" || t.href ? 10_000 : 5_000);
      timers.current.set(
        id,
        setTimeout(() => dismiss(id), ms),
      );
    },
    [dismiss],
  );
  useEffect(() => {
    const all = timers.current;
    return () => all.forEach((t) => clearTimeout(t));
  }, []);
  return (
    <ToastContext.Provider value={push}>
      {children}
      <div aria-live="polite" aria-label="Notifications" className="pointer-events-none fixed bottom-4 right-4 z-50 flex w-80 max-w-[calc(100vw-2rem)] flex-col gap-2">
        {items.map((t) => (
          <div key={t.id} data-toast={t.tone ?? "ok"} className={`pointer-events-auto rounded-md border px-3 py-2 text-sm shadow-md ${TONES[t.tone ?? "ok"]}`}>
            <div className="flex items-start gap-2">
              <p className="min-w-0 flex-1 break-words">
                {t.text}
                {t.href && (
                  <>
                    {" "}
                    <Link href={t.href} className="font-medium underline" onClick={() => dismiss(t.id)}>
                      {t.linkLabel ?? "Open"}
                    </Link>
                  </>
                )}
              </p>
              <button type="button" aria-label="Dismiss notification" className="text-slate-500 hover:text-slate-800 dark:text-slate-400 dark:hover:text-slate-100" onClick={() => dismiss(t.id)}>
                ×
              </button>
            </div>
          </div>
        ))}
      </div>
    </ToastContext.Provider>
  );
}
