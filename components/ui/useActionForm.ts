"use client";
import { useRef, useState } from "react";
import type { z } from "zod";
import { fieldErrorsOf } from "@/lib/validation";
import type { ServerAction } from "@/components/admin/types";
import { useToast, type ToastInput } from "./Toaster";

export type Notice = { tone: "ok" | "error"; text: string } | null;

/** What to tell the user after a success: a toast (text + link to what was created or changed). */
export type RunOptions<T> = {
  toast?: ToastInput | ((data: T) => ToastInput | null);
  /** Also show a failure as an error toast (for buttons and forms with no place of their own for it). */
  errorToast?: boolean;
};

/**
 * The one submit path of every form: validate with the server's own zod schema for instant
 * field errors (all of them at once), call the server action (which decides), show its field
 * errors or message, and toast what happened with a link to it. After a refused submit, `recheck`
 * (call it on every change with the current input) clears each field's error as soon as it is fixed.
 */
export function useActionForm() {
  const toast = useToast();
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [notice, setNotice] = useState<Notice>(null);
  const [pending, setPending] = useState(false);
  const schemaRef = useRef<z.ZodType | null>(null);
  // Field errors only the server can judge (uniqueness, risk acknowledged…): kept until the next submit.
  const serverOnly = useRef(new Set<string>());

  /** Returns the action's data on success, null when validation or the server refused. */
  async function run<T = unknown>(action: ServerAction, input: unknown, schema?: z.ZodType, opts: RunOptions<T> = {}): Promise<T | null> {
    schemaRef.current = schema ?? null;
    serverOnly.current = new Set();
    if (schema) {
      const local = schema.safeParse(input);
      if (!local.success) {
        setErrors(fieldErrorsOf(local.error));
        setNotice(null);
        return null;
      }
    }
    setPending(true);
    setErrors({});
    setNotice(null);
    try {
      const res = await action(input);
      if (!res.ok) {
        const fe = res.fieldErrors ?? {};
        serverOnly.current = new Set(Object.keys(fe));
        setErrors(fe);
        setNotice({ tone: "error", text: res.error });
        if (opts.errorToast) toast({ tone: "error", text: res.error });
        return null;
      }
      const t = typeof opts.toast === "function" ? opts.toast(res.data as T) : opts.toast;
      if (t) toast(t);
      return res.data as T;
    } catch {
      const text = "Warden could not be reached. Try again.";
      setNotice({ tone: "error", text });
      if (opts.errorToast) toast({ tone: "error", text });
      return null;
    } finally {
      setPending(false);
    }
  }

  /**
   * Re-validate the current input after a refused submit: a field's error disappears once it is
   * fixed, and its message follows the input; errors for fields not yet shown are not added.
   */
  function recheck(input: unknown) {
    const schema = schemaRef.current;
    if (!schema) return;
    setErrors((prev) => {
      if (!Object.keys(prev).length) return prev;
      const r = schema.safeParse(input);
      const now = r.success ? {} : fieldErrorsOf(r.error);
      const next: Record<string, string[]> = {};
      for (const [k, v] of Object.entries(prev)) {
        if (now[k]) next[k] = now[k];
        else if (serverOnly.current.has(k)) next[k] = v;
      }
      return sameErrors(prev, next) ? prev : next;
    });
  }

  return { errors, setErrors, notice, setNotice, pending, run, recheck, toast };
}

function sameErrors(a: Record<string, string[]>, b: Record<string, string[]>) {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => b[k] && a[k].join("\n") === b[k].join("\n"));
}
