"use client";
import { signOut } from "next-auth/react";

export function SignOutButton() {
  return (
    <button type="button" className="text-brand-600 hover:underline dark:text-brand-100" onClick={() => signOut({ callbackUrl: "/login" })}>
      Sign out
    </button>
  );
}
