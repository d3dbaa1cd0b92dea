/** Seeded pseudo-random numbers for the synthetic fleet: the same seed gives the same fleet. */

export { mulberry32 } from "@/lib/prng";

/** Zipf-like weights 1/(rank+1)^s: a few hot items and a long tail. */
export function zipfWeights(n: number, s: number): number[] {
  return Array.from({ length: n }, (_, i) => 1 / Math.pow(i + 1, s));
}

/** A sampler over weights (cumulative distribution + binary search). */
export function weightedSampler(weights: number[]): (u: number) => number {
  const cdf: number[] = [];
  let sum = 0;
  for (const w of weights) cdf.push((sum += w));
  return (u: number) => {
    const x = u * sum;
    let lo = 0;
    let hi = cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] > x) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
}

/**
 * A fixed-size lookup table for a distribution: slot i holds the item whose CDF interval covers
 * (i + 0.5) / slots. Postgres indexes such a table in O(1), which keeps bulk generation fast.
 */
export function slotTable(weights: number[], slots: number): number[] {
  const pick = weightedSampler(weights);
  return Array.from({ length: slots }, (_, i) => pick((i + 0.5) / slots));
}

/** Fisher–Yates shuffle driven by the seeded generator. */
export function shuffle<T>(items: T[], rand: () => number): T[] {
  const a = items.slice();
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}
