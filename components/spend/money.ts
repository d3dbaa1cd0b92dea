const HUNDRED = BigInt(100);

/**
 * "$1,234.57" from a decimal string ("1234.5651"), rounded half-up to cents on the digits
 * themselves: money never passes through a float on its way to the screen.
 */
export function fmtUsd(value: string | null | undefined): string {
  if (value == null) return "—";
  const m = /^(-?)(\d+)(?:\.(\d*))?$/.exec(value.trim());
  if (!m) return value;
  const [, sign, int, frac = ""] = m;
  let cents = BigInt(int) * HUNDRED + BigInt((frac + "00").slice(0, 2));
  if ((frac[2] ?? "0") >= "5") cents += BigInt(1);
  const whole = (cents / HUNDRED).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${sign && cents > BigInt(0) ? "-" : ""}$${whole}.${(cents % HUNDRED).toString().padStart(2, "0")}`;
}

/** "90 %" or "90.5 %". */
export function fmtPercent(p: number | null | undefined): string {
  if (p == null) return "—";
  return `${Number.isInteger(p) ? p : p.toFixed(1)} %`;
}

export const fmtCount = (n: number) => n.toLocaleString("en");
