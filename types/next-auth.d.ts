import "next-auth";
import "next-auth/jwt";

declare module "next-auth" {
  interface Session {
    user: { id: string; epoch: number; sid?: string; name?: string | null; email?: string | null; image?: string | null };
  }
}

declare module "next-auth/jwt" {
  interface JWT {
    uid?: string;
    epoch?: number;
    /** The user_sessions row this cookie stands for. */
    sid?: string;
  }
}
