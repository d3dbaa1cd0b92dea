"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { useState } from "react";
import { activeHref, type NavItem } from "./nav";
import { SignOutButton } from "./SignOutButton";

export function Sidebar({ items, user }: { items: NavItem[]; user: { label: string; role: string } }) {
  const pathname = usePathname();
  const [open, setOpen] = useState(false);
  const current = activeHref(
    pathname,
    items.map((i) => i.href),
  );
  const active = (href: string) => href === current;
  return (
    <>
      <div className="flex items-center justify-between border-b border-slate-200 bg-white px-4 py-3 md:hidden dark:border-slate-800 dark:bg-slate-900">
        <span className="font-semibold">Warden</span>
        <button type="button" aria-expanded={open} aria-controls="sidebar" className="rounded-md border px-2 py-1 text-sm dark:border-slate-700" onClick={() => setOpen(!open)}>
          Menu
        </button>
      </div>
      <aside id="sidebar" className={`${open ? "block" : "hidden"} w-full shrink-0 border-r border-slate-200 bg-white md:block md:min-h-screen md:w-60 dark:border-slate-800 dark:bg-slate-900`}>
        <div className="hidden items-center gap-2 px-5 py-5 md:flex">
          {/* eslint-disable-next-line @next/next/no-img-element */}
          <img src="/logo.svg" alt="" width={24} height={24} />
          <span className="text-lg font-semibold">Warden</span>
        </div>
        <nav aria-label="Main" className="px-3 pb-4">
          <ul className="space-y-0.5">
            {items.map((i) => (
              <li key={i.href}>
                <Link
                  href={i.href}
                  aria-current={active(i.href) ? "page" : undefined}
                  onClick={() => setOpen(false)}
                  className={`block rounded-md px-3 py-2 text-sm ${active(i.href) ? "bg-brand-50 font-medium text-brand-700 dark:bg-brand-700/30 dark:text-brand-100" : "text-slate-700 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800"}`}
                >
                  {i.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div className="border-t border-slate-200 px-5 py-4 text-sm dark:border-slate-800">
          <p className="truncate font-medium" title={user.label}>
            {user.label}
          </p>
          <p className="text-slate-500 dark:text-slate-400">{user.role}</p>
          <div className="mt-2 flex gap-3">
            <Link href="/account" className="text-brand-600 hover:underline dark:text-brand-100">
              Account & tokens
            </Link>
            <SignOutButton />
          </div>
        </div>
      </aside>
    </>
  );
}
