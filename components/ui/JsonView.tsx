"use client";
import { createContext, useContext, useState, type ReactNode } from "react";

/** What the store put in place of a credential (lib/redact.ts REDACTED): shown as a marker, never "revealed". */
const REDACTED = "[REDACTED]";

type Settings = { open: (depth: number) => boolean; maxString: number; maxItems: number };
const SettingsContext = createContext<Settings>({ open: (d) => d < 2, maxString: 160, maxItems: 100 });

/**
 * JSON as a tree a person can read: objects and arrays expand and collapse (all at once too),
 * long strings are cut with "show more", long arrays and objects list their first entries, and
 * "Copy" puts the whole value on the clipboard as indented JSON. Everything is rendered as React
 * text (never as HTML), so a value can hold markup safely; redacted values show as a marker.
 * Reusable: the explorer's call drawer, conditions on tool pages, audit diffs.
 */
export function JsonView({
  value,
  label,
  expandDepth = 2,
  maxString = 160,
  maxItems = 100,
  className = "",
}: {
  value: unknown;
  label: string;
  expandDepth?: number;
  maxString?: number;
  maxItems?: number;
  className?: string;
}) {
  // "Expand all" / "Collapse all" re-create the tree with every node open or closed.
  const [mode, setMode] = useState<{ kind: "default" | "all" | "none"; generation: number }>({ kind: "default", generation: 0 });
  const [copied, setCopied] = useState<"idle" | "ok" | "failed">("idle");
  const settings: Settings = {
    open: (depth) => (mode.kind === "all" ? true : mode.kind === "none" ? depth === 0 : depth < expandDepth),
    maxString,
    maxItems,
  };
  const composite = value !== null && typeof value === "object";

  async function onCopy() {
    try {
      await navigator.clipboard.writeText(JSON.stringify(value, null, 2) ?? "null");
      setCopied("ok");
    } catch {
      setCopied("failed");
    }
    setTimeout(() => setCopied("idle"), 2000);
  }

  const tool = "rounded px-2 py-0.5 text-xs text-slate-700 hover:bg-slate-200 dark:text-slate-300 dark:hover:bg-slate-800";
  return (
    <div data-json-view className={`rounded-md bg-slate-100 text-xs dark:bg-slate-950 ${className}`}>
      <div className="flex flex-wrap items-center gap-1 border-b border-slate-200 px-2 py-1 dark:border-slate-800">
        {composite && (
          <>
            <button type="button" className={tool} onClick={() => setMode((m) => ({ kind: "all", generation: m.generation + 1 }))}>
              Expand all
            </button>
            <button type="button" className={tool} onClick={() => setMode((m) => ({ kind: "none", generation: m.generation + 1 }))}>
              Collapse all
            </button>
          </>
        )}
        <button type="button" className={`${tool} ml-auto`} onClick={onCopy} aria-label={`Copy ${label}`}>
          {copied === "ok" ? "Copied" : copied === "failed" ? "Copy failed" : "Copy"}
        </button>
        <span className="sr-only" aria-live="polite">
          {copied === "ok" ? `${label} copied to the clipboard.` : copied === "failed" ? "The clipboard is not available here." : ""}
        </span>
      </div>
      <div tabIndex={0} role="group" aria-label={label} className="max-h-96 overflow-auto p-3 font-mono text-slate-800 dark:text-slate-200">
        <SettingsContext.Provider value={settings}>
          <Node key={mode.generation} name={null} value={value} depth={0} />
        </SettingsContext.Provider>
      </div>
    </div>
  );
}

function Node({ name, value, depth }: { name: ReactNode; value: unknown; depth: number }) {
  const settings = useContext(SettingsContext);
  const [open, setOpen] = useState(() => settings.open(depth));
  const [shown, setShown] = useState(settings.maxItems);
  const label = name === null ? null : <span className="text-slate-600 dark:text-slate-400">{name}: </span>;

  if (value === null || typeof value !== "object") {
    return (
      <div className="break-words whitespace-pre-wrap" style={{ paddingLeft: depth ? "1rem" : 0 }}>
        {label}
        <Scalar value={value} />
      </div>
    );
  }

  const isArray = Array.isArray(value);
  const entries: [string, unknown][] = isArray ? value.map((v, i) => [String(i), v]) : Object.entries(value as Record<string, unknown>);
  const [openBr, closeBr] = isArray ? ["[", "]"] : ["{", "}"];
  const summary = isArray ? `${entries.length} ${entries.length === 1 ? "item" : "items"}` : `${entries.length} ${entries.length === 1 ? "key" : "keys"}`;
  if (!entries.length) {
    return (
      <div style={{ paddingLeft: depth ? "1rem" : 0 }}>
        {label}
        <span className="text-slate-500">
          {openBr}
          {closeBr}
        </span>
      </div>
    );
  }
  return (
    <div style={{ paddingLeft: depth ? "1rem" : 0 }}>
      <button type="button" aria-expanded={open} onClick={() => setOpen((o) => !o)} className="rounded text-left hover:bg-slate-200 dark:hover:bg-slate-800" data-json-toggle>
        <span aria-hidden className="inline-block w-3 text-slate-500">
          {open ? "▾" : "▸"}
        </span>
        {label}
        <span className="text-slate-500">
          {openBr}
          {open ? "" : ` ${summary} ${closeBr}`}
        </span>
      </button>
      {open && (
        <>
          {entries.slice(0, shown).map(([k, v]) => (
            <Node key={k} name={isArray ? k : JSON.stringify(k)} value={v} depth={depth + 1} />
          ))}
          {entries.length > shown && (
            <div style={{ paddingLeft: "1rem" }}>
              <button type="button" className="text-brand-600 hover:underline dark:text-brand-100" onClick={() => setShown((n) => n + settings.maxItems)}>
                show {Math.min(settings.maxItems, entries.length - shown)} more of {entries.length - shown} remaining
              </button>
            </div>
          )}
          <div className="text-slate-500">{closeBr}</div>
        </>
      )}
    </div>
  );
}

function Scalar({ value }: { value: unknown }) {
  const { maxString } = useContext(SettingsContext);
  const [full, setFull] = useState(false);
  if (value === null) return <span className="text-slate-500">null</span>;
  if (typeof value === "boolean") return <span className="text-violet-700 dark:text-violet-300">{String(value)}</span>;
  if (typeof value === "number" || typeof value === "bigint") return <span className="text-sky-700 dark:text-sky-300">{String(value)}</span>;
  if (typeof value !== "string") return <span className="text-slate-500">{String(value)}</span>;
  if (value === REDACTED)
    return (
      <span title="Redacted before storage" className="rounded bg-amber-100 px-1 text-amber-900 dark:bg-amber-950 dark:text-amber-200">
        {REDACTED}
      </span>
    );
  // Quote as JSON so control characters and quotes read as escapes, then cut what is long.
  const quoted = JSON.stringify(value);
  const long = quoted.length > maxString + 2;
  return (
    <span className="text-emerald-800 dark:text-emerald-300">
      {long && !full ? `${quoted.slice(0, maxString + 1)}…` : quoted}
      {long && (
        <>
          {" "}
          <button type="button" className="font-sans text-brand-600 hover:underline dark:text-brand-100" onClick={() => setFull((f) => !f)}>
            {full ? "show less" : `show more (${(quoted.length - maxString - 1).toLocaleString("en-US")} more characters)`}
          </button>
        </>
      )}
    </span>
  );
}
