// Types for index.js (so Warden's TypeScript tests can register the plugin against a test double of OpenClaw's API).
declare const plugin: { id: string; name: string; description: string; register: (api: Record<string, unknown>) => void };
export default plugin;
