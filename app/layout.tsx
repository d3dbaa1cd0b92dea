import type { Metadata } from "next";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Warden", template: "%s · Warden" },
  description: "Govern your fleet of AI agents: allowlists, trust decisions, containment and evidence.",
  // The logo in public/ is also the favicon: one file where a Next.js newcomer looks for assets.
  icons: { icon: { url: "/logo.svg", type: "image/svg+xml" } },
};

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen antialiased">{children}</body>
    </html>
  );
}
