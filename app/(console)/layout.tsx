import { Sidebar } from "@/components/shell/Sidebar";
import { NAV } from "@/components/shell/nav";
import { ToastProvider } from "@/components/ui/Toaster";
import { requireActor } from "@/lib/auth/session";
import { can, ROLE_LABELS } from "@/lib/auth/roles";

export const dynamic = "force-dynamic";

export default async function ConsoleLayout({ children }: { children: React.ReactNode }) {
  // Layouts are not a security boundary; each page and action checks its own scope.
  const actor = await requireActor();
  const items = NAV.filter((i) => can(actor.role, i.scope));
  return (
    <ToastProvider>
      <div className="md:flex">
        <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:m-2 focus:rounded focus:bg-white focus:p-2">
          Skip to content
        </a>
        <Sidebar items={items} user={{ label: actor.label, role: actor.role ? ROLE_LABELS[actor.role] : "" }} />
        <main id="main" className="min-w-0 flex-1 p-4 md:p-8">
          {children}
        </main>
      </div>
    </ToastProvider>
  );
}
