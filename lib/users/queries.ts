import "server-only";
import { db } from "@/lib/db";

/** Users for the admin page: never the password hash. */
export function listUsers() {
  return db.user.findMany({
    orderBy: [{ disabledAt: { sort: "asc", nulls: "first" } }, { email: "asc" }],
    select: { id: true, email: true, name: true, role: true, teamId: true, disabledAt: true, lastLoginAt: true, createdAt: true, oidcSubject: true },
  });
}
export type UserRow = Awaited<ReturnType<typeof listUsers>>[number];
