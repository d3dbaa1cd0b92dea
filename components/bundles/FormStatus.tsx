import type { Notice } from "@/components/ui/useActionForm";

/** A form's outcome: a polite status line, or an alert when the server refused. */
export function FormStatus({ notice }: { notice: Notice }) {
  return (
    <div aria-live="polite">
      {notice && (
        <p role={notice.tone === "error" ? "alert" : "status"} className={`text-sm ${notice.tone === "error" ? "text-red-600 dark:text-red-400" : "text-emerald-700 dark:text-emerald-400"}`}>
          {notice.text}
        </p>
      )}
    </div>
  );
}
