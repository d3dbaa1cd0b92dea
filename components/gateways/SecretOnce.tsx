/** A secret shown exactly once, with what the gateway needs to connect. */
export function SecretOnce({ gatewayId, secret, origin }: { gatewayId: string; secret: string; origin: string }) {
  return (
    <div className="space-y-2 rounded-md bg-amber-50 p-3 text-sm dark:bg-amber-950" role="status">
      <p className="font-medium">Copy the signing secret now — Warden will not show it again.</p>
      <dl className="grid grid-cols-[9rem_1fr] gap-y-1">
        <dt>Warden URL</dt>
        <dd>
          <code>{origin}</code>
        </dd>
        <dt>Gateway id</dt>
        <dd>
          <code data-testid="gateway-id" className="select-all">
            {gatewayId}
          </code>
        </dd>
        <dt>Signing secret</dt>
        <dd>
          <code data-testid="gateway-secret" className="select-all break-all">
            {secret}
          </code>
        </dd>
        <dt>Public key</dt>
        <dd>
          <a className="text-brand-600 hover:underline" href="/api/v1/connector/public-key">
            /api/v1/connector/public-key
          </a>
        </dd>
      </dl>
      <p className="text-xs">Configure the Warden plugin on the gateway with these values (see docs/connector-protocol.md).</p>
    </div>
  );
}
