export type ToolOption = { id: string; name: string };

/** Field errors about the tool set, whether zod reports them on the array or on one element. */
export function toolErrorsOf(errors: Record<string, string[]>): string[] {
  return Object.entries(errors)
    .filter(([k]) => k === "toolIds" || k.startsWith("toolIds."))
    .flatMap(([, v]) => v);
}

/** The tools of a bundle as labelled checkboxes named `toolIds` (read back with FormData). */
export function ToolChecklist({ idPrefix, tools, selected = [], errors = [], legend = "Tools" }: { idPrefix: string; tools: ToolOption[]; selected?: string[]; errors?: string[]; legend?: string }) {
  const errorId = `${idPrefix}-tools-error`;
  return (
    <fieldset className="space-y-1" aria-describedby={errors.length ? errorId : undefined} aria-invalid={errors.length > 0 || undefined}>
      <legend className="text-sm font-medium">{legend}</legend>
      {tools.length === 0 ? (
        <p className="text-sm text-slate-500">The registry has no tools yet.</p>
      ) : (
        <div className="grid max-h-64 gap-1 overflow-y-auto rounded-md border border-slate-200 p-2 sm:grid-cols-2 dark:border-slate-700">
          {tools.map((t) => (
            <label key={t.id} className="flex items-center gap-2 text-sm">
              <input type="checkbox" name="toolIds" value={t.id} defaultChecked={selected.includes(t.id)} />
              <span>{t.name}</span>
            </label>
          ))}
        </div>
      )}
      {errors.length > 0 && (
        <div id={errorId}>
          {errors.map((e) => (
            <p key={e} className="text-xs text-red-600 dark:text-red-400">
              {e}
            </p>
          ))}
        </div>
      )}
    </fieldset>
  );
}
