// Types for tool-search.js (so Warden's TypeScript tests can import the plugin's plain ESM).
export const WRAPPER: "tool_call";
export const CONTROLS: Set<string>;
export const REFUSED: RegExp;
export function innerCall(params: unknown): { name: string; args: Record<string, unknown>; error?: undefined } | { error: string; name?: undefined; args?: undefined };
export function wrapperIdOf(innerCallId: unknown, toolName: unknown): string | undefined;
