/** A form's error message line (role="alert"); renders nothing without a text. */
export function FormError({ text, className }: { text?: string | null; className?: string }) {
  if (!text) return null;
  return (
    <p role="alert" className={className ? `text-sm text-red-600 ${className}` : "text-sm text-red-600"}>
      {text}
    </p>
  );
}
