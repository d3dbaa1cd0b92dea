import type { Metadata } from "next";
import Link from "next/link";
import { requireScope } from "@/lib/auth/session";
import { can } from "@/lib/auth/roles";
import { listBundles } from "@/lib/agents/queries";
import { toolOptions } from "@/lib/tools/queries";
import { Card, EmptyState, PageHeader } from "@/components/ui/Card";
import { NewBundleForm } from "@/components/bundles/NewBundleForm";
import { BundleToolsEditor } from "@/components/bundles/BundleToolsEditor";
import { createBundle, setBundleTools } from "./actions";

export const metadata: Metadata = { title: "Capability bundles" };

export default async function BundlesPage() {
  const actor = await requireScope("registry:read");
  const mayWrite = can(actor.role, "registry:write");
  const [bundles, tools] = await Promise.all([listBundles(), mayWrite ? toolOptions() : Promise.resolve([])]);
  return (
    <>
      <PageHeader
        title="Capability bundles"
        description="Named sets of tools, such as “email agent” or “file processor”. An agent given a bundle may call its tools once a version of each is approved; assign bundles on the agent's page."
        actions={
          <Link href="/tools" className="text-sm text-brand-600 hover:underline">
            Tools & allowlist
          </Link>
        }
      />
      <div className={mayWrite ? "grid gap-6 xl:grid-cols-[minmax(0,1fr)_24rem]" : undefined}>
        <div className="space-y-4">
          {bundles.length === 0 ? (
            <EmptyState title="No bundles yet">{mayWrite ? "Create one with the form: give it a name and pick its tools." : "Someone with registry write access can create them."}</EmptyState>
          ) : (
            bundles.map((b) => {
              const agents = b._count.agents;
              return (
                <section key={b.id} aria-labelledby={`bundle-${b.id}`} className="rounded-xl border border-slate-200 bg-white p-5 shadow-sm dark:border-slate-800 dark:bg-slate-900">
                  <div className="flex flex-wrap items-baseline justify-between gap-2">
                    <h2 id={`bundle-${b.id}`} className="text-base font-semibold">
                      {b.name}
                    </h2>
                    <span className="text-sm text-slate-600 dark:text-slate-400">{agents === 0 ? "Not used by any agent" : `Used by ${agents} ${agents === 1 ? "agent" : "agents"}`}</span>
                  </div>
                  <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">{b.description || "No description."}</p>
                  <h3 className="mt-3 text-sm font-medium">Tools</h3>
                  {b.tools.length === 0 ? (
                    <p className="text-sm text-slate-500">No tools.</p>
                  ) : (
                    <ul aria-label={`Tools in ${b.name}`} className="mt-1 flex flex-wrap gap-x-3 gap-y-1 text-sm">
                      {[...b.tools]
                        .sort((x, y) => x.tool.name.localeCompare(y.tool.name))
                        .map(({ tool }) => (
                          <li key={tool.id}>
                            <Link href={`/tools/${tool.id}`} className="text-brand-600 hover:underline">
                              {tool.name}
                            </Link>
                          </li>
                        ))}
                    </ul>
                  )}
                  {mayWrite && (
                    <div className="mt-4 border-t border-slate-100 pt-3 dark:border-slate-800">
                      <BundleToolsEditor bundle={{ id: b.id, name: b.name, toolIds: b.tools.map((t) => t.tool.id) }} tools={tools} action={setBundleTools} />
                    </div>
                  )}
                </section>
              );
            })
          )}
        </div>
        {mayWrite && (
          <div>
            <Card title="New bundle">
              <NewBundleForm tools={tools} action={createBundle} />
            </Card>
          </div>
        )}
      </div>
    </>
  );
}
