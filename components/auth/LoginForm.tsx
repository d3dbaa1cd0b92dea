"use client";
import { useState, useSyncExternalStore } from "react";
import { signIn } from "next-auth/react";
import { Button } from "@/components/ui/Button";
import { Field, Input } from "@/components/ui/Field";

const noSubscription = () => () => {};

export function LoginForm({ next, sso, initialError }: { next: string; sso: string | null; initialError: string | null }) {
  const [error, setError] = useState<string | null>(initialError);
  const [pending, setPending] = useState(false);
  // False in the server render and until hydration: the form only submits through onSubmit.
  const hydrated = useSyncExternalStore(
    noSubscription,
    () => true,
    () => false,
  );

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setPending(true);
    setError(null);
    const form = new FormData(e.currentTarget);
    const res = await signIn("credentials", { email: String(form.get("email")), password: String(form.get("password")), redirect: false });
    if (res?.ok && !res.error) {
      window.location.assign(next);
      return;
    }
    setPending(false);
    setError(res?.error && res.error !== "CredentialsSignin" ? res.error : "Invalid email or password.");
  }

  return (
    <div className="space-y-4">
      {/* A submit before hydration (Enter in a fast browser) must never put the password in the URL,
          where history, proxies and server logs keep it: the button is disabled until then (which
          also blocks implicit submission), and the form would POST anyway. */}
      <form onSubmit={onSubmit} method="post" className="space-y-4" noValidate>
        <Field label="Email" htmlFor="email">
          <Input id="email" name="email" type="email" autoComplete="username" required autoFocus />
        </Field>
        <Field label="Password" htmlFor="password">
          <Input id="password" name="password" type="password" autoComplete="current-password" required />
        </Field>
        {error && (
          <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700 dark:bg-red-950 dark:text-red-300">
            {error}
          </p>
        )}
        <Button type="submit" className="w-full" disabled={pending || !hydrated}>
          {pending ? "Signing in…" : "Sign in"}
        </Button>
      </form>
      {sso && (
        <Button variant="secondary" className="w-full" onClick={() => signIn("oidc", { callbackUrl: next })}>
          Continue with {sso}
        </Button>
      )}
    </div>
  );
}
