"use client";
import { useState } from "react";
import { Badge } from "@/components/ui/Badge";
import { Button } from "@/components/ui/Button";
import { useToast } from "@/components/ui/Toaster";
import { Field } from "@/components/ui/Field";
import { FormError } from "@/components/ui/FormNotice";
import { fmtDate } from "@/components/ui/format";
import type { FileStatus, VerifyReport } from "@/lib/evidence/verify";
import { fmtBytes } from "./format";

const MAX_BYTES = 2 * 1024 ** 3;
const FILE_TONE: Record<FileStatus, "green" | "red" | "amber"> = { ok: "green", altered: "red", missing: "red", extra: "amber" };

/**
 * Upload a bundle and verify it with this Warden's own public key. The file is sent as the raw
 * request body (streamed by the browser and by the server; never read whole into memory).
 */
export function VerifyUpload() {
  const [file, setFile] = useState<File | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const [report, setReport] = useState<VerifyReport | null>(null);
  const toast = useToast();

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setReport(null);
    if (!file) return setError("Choose a bundle (.tar.gz) first.");
    if (file.size > MAX_BYTES) return setError(`The file is ${fmtBytes(file.size)}; the limit is 2 GB. Use the command-line verifier instead.`);
    setError(null);
    setPending(true);
    try {
      const res = await fetch("/api/v1/evidence/verify", { method: "POST", headers: { "content-type": "application/gzip" }, body: file });
      const body = await res.json().catch(() => null);
      if (!res.ok) return setError(body?.error?.message ?? `Verification failed (${res.status}).`);
      const r = body.data as VerifyReport;
      setReport(r);
      toast(r.ok ? { text: "Bundle verified: signature valid, every file intact." } : { tone: "error", text: "Bundle verification failed: see the report for what does not match." });
    } catch {
      setError("Warden could not be reached. Try again.");
    } finally {
      setPending(false);
    }
  }

  return (
    <div className="space-y-6">
      <form onSubmit={onSubmit} noValidate aria-label="Verify an evidence bundle" className="space-y-4">
        <Field label="Evidence bundle" htmlFor="evidence-file" hint="The .tar.gz file exactly as downloaded (up to 2 GB).">
          <input
            id="evidence-file"
            type="file"
            accept=".gz,.tgz,application/gzip"
            onChange={(e) => {
              setFile(e.target.files?.[0] ?? null);
              setReport(null);
              setError(null);
            }}
            className="block w-full text-sm file:mr-3 file:rounded-md file:border-0 file:bg-slate-100 file:px-3 file:py-2 file:text-sm dark:file:bg-slate-800"
          />
        </Field>
        <FormError text={error} />
        <Button type="submit" pending={pending} disabled={!file}>
          {pending ? "Verifying…" : "Verify"}
        </Button>
        {pending && file && (
          <p role="status" className="text-sm text-slate-600 dark:text-slate-400">
            Uploading and checking {fmtBytes(file.size)}: every file is hashed, so a large bundle takes a while.
          </p>
        )}
        {pending && file && (
          <p role="status" className="text-sm text-slate-500">
            Checking {fmtBytes(file.size)}: every file is hashed, which takes a while for large bundles.
          </p>
        )}
      </form>
      {report && <ReportView report={report} />}
    </div>
  );
}

function ReportView({ report: r }: { report: VerifyReport }) {
  const problems = r.files.filter((f) => f.status !== "ok");
  return (
    <section aria-label="Verification result" className="space-y-4">
      <div
        role={r.ok ? "status" : "alert"}
        className={`rounded-lg p-4 ${r.ok ? "bg-emerald-50 text-emerald-900 dark:bg-emerald-950 dark:text-emerald-200" : "bg-red-50 text-red-900 dark:bg-red-950 dark:text-red-200"}`}
      >
        <p className="font-semibold">{r.ok ? "Verified: signed by this Warden and unaltered." : "Not verified."}</p>
        <p className="mt-1 text-sm">
          Signature: <strong>{r.signature === "ok" ? "valid" : "invalid"}</strong> — {r.signatureDetail}
        </p>
        {!r.ok && problems.length > 0 && <p className="mt-1 text-sm">{problems.length} file(s) altered, missing or extra.</p>}
      </div>
      {r.manifest && (
        <dl className="grid gap-3 text-sm sm:grid-cols-2 lg:grid-cols-4">
          <div>
            <dt className="text-xs uppercase text-slate-500">Export</dt>
            <dd>
              <code className="text-xs">{r.manifest.exportId}</code>
            </dd>
          </div>
          <div>
            <dt className="text-xs uppercase text-slate-500">Created</dt>
            <dd>
              {fmtDate(r.manifest.createdAt)} by {r.manifest.createdBy}
            </dd>
          </div>
          <div>
            <dt className="text-xs uppercase text-slate-500">Window</dt>
            <dd>
              {fmtDate(r.manifest.window?.from)} → {fmtDate(r.manifest.window?.to)}
            </dd>
          </div>
          <div>
            <dt className="text-xs uppercase text-slate-500">Key</dt>
            <dd>
              <code className="text-xs">{r.manifestKeyId ?? "—"}</code>
            </dd>
          </div>
        </dl>
      )}
      {r.errors.map((e) => (
        <p key={e} role="alert" className="text-sm text-red-600">
          {e}
        </p>
      ))}
      {r.warnings.map((w) => (
        <p key={w} className="text-sm text-amber-700 dark:text-amber-400">
          {w}
        </p>
      ))}
      {r.files.length > 0 && (
        <div className="overflow-x-auto rounded-xl border border-slate-200 dark:border-slate-800">
          <table className="min-w-full divide-y divide-slate-200 text-sm dark:divide-slate-800">
            <caption className="sr-only">Files in the bundle</caption>
            <thead className="bg-slate-50 dark:bg-slate-900/60">
              <tr>
                <th scope="col" className="px-3 py-2 text-left font-medium">
                  File
                </th>
                <th scope="col" className="px-3 py-2 text-left font-medium">
                  Status
                </th>
                <th scope="col" className="px-3 py-2 text-left font-medium">
                  Size
                </th>
                <th scope="col" className="px-3 py-2 text-left font-medium">
                  Rows
                </th>
                <th scope="col" className="px-3 py-2 text-left font-medium">
                  Detail
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
              {r.files.map((f, i) => (
                <tr key={`${f.path}-${i}`}>
                  <td className="px-3 py-2">
                    <code className="text-xs">{f.path}</code>
                  </td>
                  <td className="px-3 py-2">
                    <Badge tone={FILE_TONE[f.status]}>{f.status}</Badge>
                  </td>
                  <td className="px-3 py-2 whitespace-nowrap">{fmtBytes(f.actual?.bytes ?? f.expected?.bytes)}</td>
                  <td className="px-3 py-2">{f.expected?.rows?.toLocaleString("en") ?? "—"}</td>
                  <td className="px-3 py-2 text-xs text-slate-500">{f.detail ?? (f.status === "ok" ? "SHA-256 and size match the manifest" : "")}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <ul className="space-y-1 text-sm">
        {r.chain && (
          <li>
            Audit chain inside the bundle:{" "}
            {r.chain.ok ? (
              `intact (${r.chain.checked.toLocaleString("en")} events recomputed)`
            ) : (
              <span className="text-red-600">
                broken at event #{r.chain.firstBrokenId}: {r.chain.reason}
              </span>
            )}
          </li>
        )}
        {r.ocsf && (
          <li>
            OCSF records: {r.ocsf.checked.toLocaleString("en")} checked, {r.ocsf.invalid.toLocaleString("en")} invalid
          </li>
        )}
      </ul>
    </section>
  );
}
