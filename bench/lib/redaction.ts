/**
 * The redaction ingestion does per event, timed in process over the bench's own events: params
 * and result through redactedJson (given their JSON text, as the connector's parser hands it
 * over), the free-text fields through redactString. Also over the same events each carrying a
 * credential (in a header-like string and in a URL), the slow path.
 */
import type { BenchEvent } from "./fleet";
import { median } from "./stats";

export type Redactor = { redactedJson(value: unknown, json: string): string; redactString(text: string): string };
type Prepared = { params: unknown; paramsJson: string; result: unknown; resultJson: string | null; texts: string[] };

/** Events as ingestion sees them: values with their JSON text, and the free-text fields. */
export function prepareForRedaction(events: BenchEvent[], withSecrets = false): Prepared[] {
  return events.map((e, i) => {
    const params = withSecrets
      ? { ...e.params, headers: `X-API-Key: ${i.toString(36).padStart(8, "k")}Zq81Lw0cV3tR7mB2nY6pD4sF9gH5jK\r\nAccept: */*`, callback: `https://hooks.example.com/in?token=t${i}Xk2Pq9` }
      : e.params;
    const texts = [e.sessionKey, ...(e.egressHosts ?? []), ...(e.blockReason ? [e.blockReason] : []), ...(e.error ? [e.error] : [])];
    return { params, paramsJson: JSON.stringify(params), result: e.result ?? null, resultJson: e.result ? JSON.stringify(e.result) : null, texts };
  });
}

/** One pass over the events; returns a checksum so that the work cannot be optimised away. */
function pass(r: Redactor, events: Prepared[]): number {
  let n = 0;
  for (const e of events) {
    n += r.redactedJson(e.params, e.paramsJson).length;
    if (e.resultJson !== null) n += r.redactedJson(e.result, e.resultJson).length;
    for (const t of e.texts) n += r.redactString(t).length;
  }
  return n;
}

/** Nanoseconds of redaction per event: the median of `runs` timed passes after a warm-up. */
export function timeRedaction(r: Redactor, events: Prepared[], runs = 7): { nsPerEvent: number; checksum: number } {
  let checksum = pass(r, events) + pass(r, events);
  const ns: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    checksum += pass(r, events);
    ns.push(Number(process.hrtime.bigint() - t) / events.length);
  }
  return { nsPerEvent: median(ns), checksum };
}
