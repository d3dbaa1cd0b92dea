/** A signing secret, shown once after creation or rotation (Warden keeps only a sealed copy). */
export function SecretNotice({ name, secret }: { name: string; secret: string }) {
  return (
    <div className="mt-2 rounded-md bg-amber-50 p-3 text-sm dark:bg-amber-950">
      <p className="font-medium">Signing secret of {name} — copy it now, it will not be shown again.</p>
      <code data-testid="webhook-secret" className="mt-1 block select-all break-all font-mono">
        {secret}
      </code>
      <p className="mt-1 text-xs text-slate-600 dark:text-slate-400">
        Verify each request: base64 HMAC-SHA256 of <code>{"${webhook-id}.${webhook-timestamp}.${body}"}</code>, keyed by the base64-decoded part after <code>whsec_</code>, equals the value after{" "}
        <code>v1,</code> in <code>webhook-signature</code>.
      </p>
    </div>
  );
}
