"use client";
import { useState } from "react";

export type Perms = { fsRead: boolean; fsWrite: boolean; egressHosts: string[]; credentialAccess: boolean; exec: boolean; pathPrefixes?: string[]; commandPatterns?: string[] };
export const NO_PERMS: Perms = { fsRead: false, fsWrite: false, egressHosts: [], credentialAccess: false, exec: false };

const lines = (v: string) =>
  v
    .split(/\n+/)
    .map((x) => x.trim())
    .filter(Boolean);

/**
 * Permission checkboxes + egress hosts, with the credential + egress risk called out live. With
 * `narrowing` (approve with conditions) also the path prefixes and command patterns gateways enforce.
 */
export function PermissionsFields({
  idPrefix,
  value,
  onChange,
  errors,
  narrowing = false,
}: {
  idPrefix: string;
  value: Perms;
  onChange: (p: Perms) => void;
  errors?: Record<string, string[]>;
  narrowing?: boolean;
}) {
  const [hosts, setHosts] = useState(value.egressHosts.join("\n"));
  const [paths, setPaths] = useState((value.pathPrefixes ?? []).join("\n"));
  const [commands, setCommands] = useState((value.commandPatterns ?? []).join("\n"));
  const errorsOf = (k: string) =>
    Object.entries(errors ?? {})
      .filter(([f]) => f.includes(k))
      .flatMap(([, v]) => v);
  const box = (k: "fsRead" | "fsWrite" | "credentialAccess" | "exec", label: string) => (
    <label className="flex items-center gap-2 text-sm">
      <input type="checkbox" checked={value[k]} onChange={(e) => onChange({ ...value, [k]: e.target.checked })} /> {label}
    </label>
  );
  const risky = value.credentialAccess && value.egressHosts.length > 0;
  const hostErrors = Object.entries(errors ?? {})
    .filter(([k]) => k.includes("egressHosts"))
    .flatMap(([, v]) => v);
  return (
    <fieldset className="space-y-2 rounded-md border border-slate-200 p-3 dark:border-slate-700">
      <legend className="px-1 text-sm font-medium">Permissions</legend>
      <div className="grid grid-cols-2 gap-2">
        {box("fsRead", "Read files")}
        {box("fsWrite", "Write files")}
        {box("credentialAccess", "Access credentials")}
        {box("exec", "Run commands (exec)")}
      </div>
      <label htmlFor={`${idPrefix}-hosts`} className="block text-sm">
        Network egress hosts (one per line)
      </label>
      <textarea
        id={`${idPrefix}-hosts`}
        rows={2}
        className="block w-full rounded-md border border-slate-300 bg-white p-2 font-mono text-xs dark:border-slate-700 dark:bg-slate-950"
        value={hosts}
        onChange={(e) => {
          setHosts(e.target.value);
          onChange({
            ...value,
            egressHosts: e.target.value
              .split(/[\s,]+/)
              .map((h) => h.trim())
              .filter(Boolean),
          });
        }}
      />
      {hostErrors.map((m) => (
        <p key={m} className="text-xs text-red-600">
          {m}
        </p>
      ))}
      {narrowing && (
        <>
          <p className="text-xs text-slate-600 dark:text-slate-400">
            Gateways enforce these on every call: URLs only to the hosts above (none listed: no network; <code>*.example.com</code> covers subdomains), files only under the path prefixes, commands
            only matching a pattern. Leave a list empty to not narrow it.
          </p>
          <label htmlFor={`${idPrefix}-paths`} className="block text-sm">
            Path prefixes for file tools (absolute, one per line)
          </label>
          <textarea
            id={`${idPrefix}-paths`}
            rows={2}
            className="block w-full rounded-md border border-slate-300 bg-white p-2 font-mono text-xs dark:border-slate-700 dark:bg-slate-950"
            value={paths}
            onChange={(e) => {
              setPaths(e.target.value);
              onChange({ ...value, pathPrefixes: lines(e.target.value) });
            }}
          />
          {errorsOf("pathPrefixes").map((m) => (
            <p key={m} className="text-xs text-red-600">
              {m}
            </p>
          ))}
          <label htmlFor={`${idPrefix}-commands`} className="block text-sm">
            Command patterns for exec (one per line; <code>*</code> matches anything but shell control characters)
          </label>
          <textarea
            id={`${idPrefix}-commands`}
            rows={2}
            className="block w-full rounded-md border border-slate-300 bg-white p-2 font-mono text-xs dark:border-slate-700 dark:bg-slate-950"
            value={commands}
            onChange={(e) => {
              setCommands(e.target.value);
              onChange({ ...value, commandPatterns: lines(e.target.value) });
            }}
          />
          {errorsOf("commandPatterns").map((m) => (
            <p key={m} className="text-xs text-red-600">
              {m}
            </p>
          ))}
        </>
      )}
      {risky && (
        <p role="note" className="rounded bg-red-50 p-2 text-xs text-red-700 dark:bg-red-950 dark:text-red-300">
          High risk: credential access combined with network egress can exfiltrate secrets.
        </p>
      )}
    </fieldset>
  );
}
