/** A polite status line, or an alert for errors. */
export function Notice({ notice }: { notice: { tone: "ok" | "error"; text: string } | null }) {
  return (
    <div aria-live="polite">
      {notice && (
        <p
          role={notice.tone === "error" ? "alert" : "status"}
          className={`rounded-md p-2 text-sm ${notice.tone === "error" ? "bg-red-50 text-red-700 dark:bg-red-950 dark:text-red-300" : "bg-emerald-50 dark:bg-emerald-950"}`}
        >
          {notice.text}
        </p>
      )}
    </div>
  );
}
