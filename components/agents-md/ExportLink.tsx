"use client";

/** A "Download AGENTS.md" link to GET /api/v1/agents/{id}/agents-md (the route checks registry:read). */
export function ExportLink({ agentId, className = "" }: { agentId: string; className?: string }) {
  return (
    <a href={`/api/v1/agents/${encodeURIComponent(agentId)}/agents-md`} download="AGENTS.md" className={`text-sm text-brand-600 hover:underline ${className}`}>
      Download AGENTS.md
    </a>
  );
}
