// Starts one agent turn on a real OpenClaw gateway the way a chat client does: WebSocket
// `chat.send` (run under Node 24, which has a global WebSocket). Such a turn has an approval-capable
// source (its turn source is the gateway's webchat surface), unlike `openclaw agent`, whose runs
// cannot wait for a plugin approval. Prints the gateway's answer as JSON and exits.
// usage: node openclaw-chat.mjs <ws-url> <sessionKey> <message>   (token in OPENCLAW_GATEWAY_TOKEN)
const [url, sessionKey, message] = process.argv.slice(2);
const ws = new WebSocket(url);
const pending = new Map();
let seq = 0;
const request = (method, params) => {
  const id = `c${++seq}`;
  ws.send(JSON.stringify({ type: "req", id, method, params }));
  return new Promise((resolve) => pending.set(id, resolve));
};
const fail = (why) => {
  console.log(JSON.stringify({ ok: false, error: why }));
  process.exit(1);
};
setTimeout(() => fail("no answer in 30 s"), 30_000).unref();
ws.onerror = () => fail("websocket error");
ws.onmessage = async (m) => {
  const f = JSON.parse(String(m.data));
  if (f.type === "res") {
    pending.get(f.id)?.(f);
    pending.delete(f.id);
    return;
  }
  if (f.type !== "event" || f.event !== "connect.challenge") return;
  const hello = await request("connect", {
    minProtocol: 4,
    maxProtocol: 4,
    client: { id: "gateway-client", displayName: "e2e chat", version: "e2e", platform: process.platform, mode: "backend" },
    role: "operator",
    scopes: ["operator.admin"],
    caps: [],
    auth: { token: process.env.OPENCLAW_GATEWAY_TOKEN },
  });
  if (!hello.ok) fail(hello.error);
  const res = await request("chat.send", { sessionKey, message, idempotencyKey: `e2e-${Date.now()}-${Math.random().toString(36).slice(2)}` });
  console.log(JSON.stringify(res));
  process.exit(res.ok ? 0 : 1);
};
