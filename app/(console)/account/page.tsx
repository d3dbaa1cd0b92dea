import type { Metadata } from "next";
import { requireScope } from "@/lib/auth/session";
import { listOwnTokens } from "@/lib/tokens/queries";
import { Card, PageHeader } from "@/components/ui/Card";
import { TokensPanel } from "@/components/account/TokensPanel";
import { ROLE_LABELS } from "@/lib/auth/roles";
import { createToken, revokeToken } from "./actions";

export const metadata: Metadata = { title: "Account & API tokens" };

export default async function AccountPage() {
  const actor = await requireScope("tokens:own");
  const tokens = await listOwnTokens(actor.userId!);
  return (
    <>
      <PageHeader title="Account & API tokens" description={`Signed in as ${actor.label} (${actor.role ? ROLE_LABELS[actor.role] : ""}).`} />
      <Card title="Personal API tokens">
        <p className="mb-4 text-sm text-slate-600 dark:text-slate-400">
          Tokens act with your role on the machine API (<code>/api/v1/…</code>), sent as <code>Authorization: Bearer wdn_…</code>. A token is shown once; Warden keeps only its SHA-256 hash. Disabling
          your account stops every token.
        </p>
        <TokensPanel
          tokens={tokens.map((t) => ({
            ...t,
            expiresAt: t.expiresAt.toISOString(),
            lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
            revokedAt: t.revokedAt?.toISOString() ?? null,
            createdAt: t.createdAt.toISOString(),
          }))}
          actions={{ createToken, revokeToken }}
        />
      </Card>
    </>
  );
}
