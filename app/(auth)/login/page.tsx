import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { LoginForm } from "@/components/auth/LoginForm";
import { env, oidcConfigured } from "@/lib/env";
import { getActor } from "@/lib/auth/session";
import { safeNextPath } from "@/lib/http/next-path";
import { publicOrigin } from "@/lib/http/same-origin";

export const metadata: Metadata = { title: "Sign in" };

const ERRORS: Record<string, string> = {
  sso_no_role: "Your SSO account has no Warden role. Ask an admin to grant access.",
  sso_no_email: "Your SSO provider did not share an email address.",
  disabled: "Invalid email or password.",
};

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ next?: string; error?: string }> }) {
  if (await getActor()) redirect("/");
  const sp = await searchParams;
  // Only a path on this Warden: backslashes, tabs and newlines, "//host" and other origins become "/".
  const next = safeNextPath(sp.next, publicOrigin());
  return (
    <main className="flex min-h-screen items-center justify-center p-6">
      <div className="w-full max-w-sm rounded-xl border border-slate-200 bg-white p-8 shadow-sm dark:border-slate-800 dark:bg-slate-900">
        <div className="mb-6 flex items-center gap-3">
          {/* eslint-disable-next-line @next/next/no-img-element */}
          <img src="/icon.svg" alt="" width={32} height={32} />
          <div>
            <h1 className="text-xl font-semibold">Sign in to Warden</h1>
            <p className="text-sm text-slate-500 dark:text-slate-400">Governance for your AI agent fleet</p>
          </div>
        </div>
        <LoginForm next={next} sso={oidcConfigured() ? env().OIDC_NAME : null} initialError={sp.error ? (ERRORS[sp.error] ?? "Sign-in failed.") : null} />
      </div>
    </main>
  );
}
