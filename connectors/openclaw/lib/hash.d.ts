// Types for hash.js (so Warden's TypeScript tests and e2e helpers can import the plugin's plain ESM).
export type HashLimits = { maxFiles?: number; maxBytes?: number };
export const BUILD_SKIP_FILES: ReadonlySet<string>;
export const DEFAULT_LIMITS: Readonly<Required<HashLimits>>;
export const BUILD_LIMITS: Readonly<Required<HashLimits>>;
export function hashTree(dir: string, limits?: HashLimits): Promise<string | undefined>;
export function hashTreeInfo(dir: string, limits?: HashLimits & { skipFiles?: ReadonlySet<string> }): Promise<{ hash: string | undefined; files: number; bytes: number; overBound?: boolean }>;
export function hashFileAsTree(file: string, limits?: { maxBytes?: number }): Promise<string | undefined>;
export function openclawRootOf(entry: string): { root: string; version: string | undefined } | undefined;
export function statFingerprint(root: string, version: string | undefined): string | undefined;
export function buildHash(opts: { root: string; version?: string; cacheFile?: string; limits?: HashLimits }): Promise<{ hash: string | undefined; cached: boolean; files?: number; bytes?: number; ms?: number }>;
