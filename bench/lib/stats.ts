/** Small statistics for repeated measurements. */

/** The q-quantile (0..1) by linear interpolation between the closest ranks. */
export function quantile(values: number[], q: number): number {
  if (!values.length) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

export const median = (values: number[]) => quantile(values, 0.5);
export const p95 = (values: number[]) => quantile(values, 0.95);

export type Timing = { median_ms: number; p95_ms: number; min_ms: number; max_ms: number; runs: number };

export function summarize(ms: number[]): Timing {
  const r = (x: number) => Math.round(x * 10) / 10;
  return { median_ms: r(median(ms)), p95_ms: r(p95(ms)), min_ms: r(Math.min(...ms)), max_ms: r(Math.max(...ms)), runs: ms.length };
}

/** Run `fn` `warmup` times unmeasured, then `runs` times; wall-clock milliseconds of each run. */
export async function measure(fn: (i: number) => Promise<unknown>, runs: number, warmup = 2): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn(-1 - i);
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn(i);
    out.push(performance.now() - t);
  }
  return out;
}
