"use client";
import { useState } from "react";
import type { z } from "zod";
import { fieldErrorsOf } from "@/lib/validation";
import type { ServerAction } from "@/components/admin/types";

export type Notice = { tone: "ok" | "error"; text: string } | null;

/**
 * The one submit path of every form: validate with the server's own zod schema for instant
 * field errors, call the server action (which decides), and show its field errors or message.
 */
export function useActionForm() {
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [notice, setNotice] = useState<Notice>(null);
  const [pending, setPending] = useState(false);

  /** Returns the action's data on success, null when validation or the server refused. */
  async function run<T = unknown>(action: ServerAction, input: unknown, schema?: z.ZodType): Promise<T | null> {
    if (schema) {
      const local = schema.safeParse(input);
      if (!local.success) {
        setErrors(fieldErrorsOf(local.error));
        return null;
      }
    }
    setPending(true);
    setErrors({});
    setNotice(null);
    try {
      const res = await action(input);
      if (!res.ok) {
        setErrors(res.fieldErrors ?? {});
        setNotice({ tone: "error", text: res.error });
        return null;
      }
      return res.data as T;
    } catch {
      setNotice({ tone: "error", text: "Warden could not be reached. Try again." });
      return null;
    } finally {
      setPending(false);
    }
  }

  return { errors, setErrors, notice, setNotice, pending, run };
}
