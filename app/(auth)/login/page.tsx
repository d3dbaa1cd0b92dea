import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { LoginForm } from "@/components/auth/LoginForm";
import { env, oidcConfigured } from "@/lib/env";
import { getActor } from "@/lib/auth/session";
import { safeNextPath } from "@/lib/http/next-path";
import { publicOrigin } from "@/lib/http/same-origin";

export const metadata: Metadata = { title: "Sign in" };

// Every ?error= a sign-in can end with (ours from lib/auth/oidc-signin.ts, next-auth's own codes);
// anything else reads "Sign-in failed." and the page never echoes the parameter.
const ERRORS: Record<string, string> = {
  sso_no_role: "Your single sign-on account has no Warden role. Ask an admin to grant access.",
  sso_no_email: "Your identity provider did not share an email address, so Warden cannot sign you in.",
  sso_bad_claims: "Your identity provider sent account details Warden cannot accept. Ask an admin to check the single sign-on setup.",
  sso_link_refused:
    "A Warden account with this email already exists. Sign in with its password, or ask an admin: Warden links it to single sign-on only when the provider verifies the email and linking is turned on.",
  sso_conflict: "This email belongs to another Warden account. Ask an admin.",
  sso_disabled: "Your Warden account is disabled. Ask an admin.",
  sso_failed: "Single sign-on failed. Try again, or ask an admin to check the server log.",
  disabled: "Invalid email or password.",
  OAuthSignin: "Single sign-on could not start: the identity provider is unreachable or misconfigured.",
  OAuthCallback: "Single sign-on failed: the identity provider's answer did not pass Warden's checks. Try again.",
  OAuthCreateAccount: "Single sign-on failed. Ask an admin.",
  OAuthAccountNotLinked: "This email belongs to another Warden account. Ask an admin.",
  Callback: "Single sign-on failed. Try again.",
  AccessDenied: "Access denied.",
  Configuration: "Sign-in is misconfigured on the server. Ask an admin.",
  Verification: "The sign-in link is no longer valid.",
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
          <img src="/logo.svg" alt="" width={32} height={32} />
          <div>
            <h1 className="text-xl font-semibold">Sign in to Warden</h1>
            <p className="text-sm text-slate-500 dark:text-slate-400">Governance for your AI agent fleet</p>
          </div>
        </div>
        <LoginForm next={next} sso={oidcConfigured() ? env().OIDC_NAME : null} initialError={sp.error ? (Object.hasOwn(ERRORS, sp.error) ? ERRORS[sp.error] : "Sign-in failed.") : null} />
      </div>
    </main>
  );
}
