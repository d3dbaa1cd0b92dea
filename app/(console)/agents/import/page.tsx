import type { Metadata } from "next";
import { requireScope } from "@/lib/auth/session";
import { listAgentChoices } from "@/lib/agents-md/queries";
import { Card, PageHeader } from "@/components/ui/Card";
import { ImportAgentsMd } from "@/components/agents-md/ImportAgentsMd";
import { importAgentsMd } from "./actions";
import { teamScopeOf } from "@/lib/teams/scope";

export const metadata: Metadata = { title: "Agents · Import AGENTS.md" };

const EXAMPLE = `## Agent

\`\`\`yaml
agent:
  name: "content-publisher"
  owner: "Growth team"
  purpose: "Publishes the newsletter"
\`\`\`

## Integrations

\`\`\`yaml
integrations:
  - name: "email-provider"
    provider: "SendGrid"
    provider_verified: true
    reason: "Newsletter and transactional email"
    permissions: [ "mail:send", "no:contacts" ]
    audit_date: "2026-05-17"
    audit_result: "5 dependencies, all current"
    dependency_status: "all current"
    security_contact:
      name: "Twilio Security"
      email: "security@sendgrid.example"
      phone: "+1 303 555 0199"
    disclosure_process: "Advisories by email"
    next_review: "2026-08-15"
\`\`\`

## Graceful degradation

\`\`\`yaml
tools:
  - id: "email_send"
    primary: "email-provider"
    fallback: "local_smtp"
    on_failure: "queue_and_retry"
    max_retries: 3
\`\`\``;

export default async function ImportAgentsMdPage({ searchParams }: { searchParams: Promise<{ agent?: string | string[] }> }) {
  const actor = await requireScope("registry:write");
  const [agents, params] = await Promise.all([listAgentChoices(teamScopeOf(actor)), searchParams]);
  const wanted = typeof params.agent === "string" ? params.agent : undefined;
  return (
    <>
      <PageHeader
        title="Import AGENTS.md"
        description="Bring a team's documented trust decisions into the registry: integrations are created or updated by name and linked to the agent, and tools entries become the integration's graceful degradation. Preview first; nothing changes until you apply."
      />
      <div className="grid gap-6 xl:grid-cols-[minmax(0,1fr)_24rem]">
        <ImportAgentsMd agents={agents} defaultAgentId={agents.some((a) => a.id === wanted) ? wanted : undefined} action={importAgentsMd} />
        <Card title="What Warden reads">
          <div className="space-y-3 text-sm">
            <p>
              Fenced <code>```yaml</code> blocks with an <code>agent:</code>, <code>integrations:</code> or <code>tools:</code> key. Everything else in the file is left alone.
            </p>
            <ul className="list-disc space-y-1 pl-5 text-xs text-slate-600 dark:text-slate-400">
              <li>Required per integration: name, provider, reason, permissions, audit_date, audit_result.</li>
              <li>
                Optional keys left out keep their current value; <code>null</code> clears one.
              </li>
              <li>
                A tools entry&apos;s <code>primary</code> is the name of an integration in the same file.
              </li>
              <li>Integrations linked to the agent but missing from the file stay linked.</li>
            </ul>
            <details>
              <summary className="cursor-pointer text-brand-600">Example</summary>
              <pre className="mt-2 overflow-x-auto rounded-md bg-slate-50 p-3 text-xs dark:bg-slate-950">{EXAMPLE}</pre>
            </details>
          </div>
        </Card>
      </div>
    </>
  );
}
