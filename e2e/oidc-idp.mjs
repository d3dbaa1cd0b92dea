// A real OpenID Connect provider for the single sign-on spec: the certified `oidc-provider`
// package on loopback, with the test's own login form (no password: the test picks the account),
// PKCE required, a `groups` claim in the ID token, and hooks to record the authorization request
// and to forge the ID token a token response carries (issuer, audience, nonce, key, expiry checks).
// Plain ESM (oidc-provider is ESM-only): the spec imports it at run time.
import crypto from "node:crypto";
import http from "node:http";
import Provider from "oidc-provider";

const b64url = (buf) => Buffer.from(buf).toString("base64url");

/** Re-sign a compact RS256 JWT after `edit` changed its payload (with `key`, default the provider's). */
function forge(jwt, edit, key) {
  const [h, p] = jwt.split(".");
  const payload = edit(JSON.parse(Buffer.from(p, "base64url").toString("utf8")));
  const input = `${h}.${b64url(JSON.stringify(payload))}`;
  return `${input}.${b64url(crypto.sign("sha256", Buffer.from(input), key))}`;
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    let s = "";
    req.setEncoding("utf8");
    req.on("data", (c) => {
      s += c;
      if (s.length > 65536) req.destroy();
    });
    req.on("end", () => resolve(s));
    req.on("error", reject);
  });
}

const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * Start the provider on 127.0.0.1 (a free port). `accounts` maps a subject to the claims the ID
 * token carries for it (any JSON: the spec sends hostile ones); change it between sign-ins.
 */
export async function startIdp({ clientId, clientSecret, redirectUri }) {
  const accounts = new Map();
  const authRequests = [];
  const state = { tamper: null };
  const { privateKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
  const jwk = { ...privateKey.export({ format: "jwk" }), kid: "e2e-idp", alg: "RS256", use: "sig" };

  const server = http.createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${server.address().port}`;

  const provider = new Provider(issuer, {
    clients: [{ client_id: clientId, client_secret: clientSecret, redirect_uris: [redirectUri], response_types: ["code"], grant_types: ["authorization_code"] }],
    jwks: { keys: [jwk] },
    // Every client must send a PKCE challenge (oidc-provider accepts only S256).
    pkce: { required: () => true },
    // `groups` rides on the profile scope; every scope's claims go into the ID token (Warden reads no userinfo).
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name", "groups"] },
    conformIdTokenClaims: false,
    cookies: { keys: [crypto.randomBytes(24).toString("hex")] },
    features: { devInteractions: { enabled: false } },
    ttl: { AuthorizationCode: 60, Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600 },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    async findAccount(_ctx, sub) {
      if (!accounts.has(sub)) return undefined;
      return { accountId: sub, claims: async () => ({ ...accounts.get(sub), sub }) };
    },
    // No consent screen: the test's client is first-party.
    async loadExistingGrant(ctx) {
      const accountId = ctx.oidc.session?.accountId;
      if (!accountId) return undefined;
      const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId });
      grant.addOIDCScope("openid email profile");
      await grant.save();
      return grant;
    },
  });

  provider.use(async (ctx, next) => {
    if (ctx.path === "/auth" && ctx.method === "GET") authRequests.push(Object.fromEntries(new URLSearchParams(ctx.querystring)));
    await next();
    if (ctx.path === "/token" && state.tamper && ctx.body && typeof ctx.body === "object" && ctx.body.id_token) {
      const { edit, key } = state.tamper;
      ctx.body = { ...ctx.body, id_token: forge(ctx.body.id_token, edit, key ?? privateKey) };
    }
  });

  const handle = provider.callback();
  server.on("request", async (req, res) => {
    const url = new URL(req.url ?? "/", issuer);
    const m = url.pathname.match(/^\/interaction\/([\w-]+)(\/login)?$/);
    if (!m) return handle(req, res);
    try {
      const details = await provider.interactionDetails(req, res);
      if (req.method === "POST" && m[2]) {
        const sub = new URLSearchParams(await readBody(req)).get("username") ?? "";
        if (accounts.has(sub)) {
          await provider.interactionFinished(req, res, { login: { accountId: sub } }, { mergeWithLastSubmission: false });
          return;
        }
      }
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end(`<!doctype html><title>Test IdP</title><h1>Test IdP sign-in</h1>
<form method="post" action="/interaction/${esc(details.uid)}/login">
<label>Username <input name="username" autofocus></label>
<button type="submit">Sign in at the IdP</button></form>`);
    } catch (err) {
      res.writeHead(400, { "content-type": "text/plain" });
      res.end(`interaction failed: ${err.message}`);
    }
  });

  return {
    issuer,
    accounts,
    authRequests,
    /** Forge the next ID tokens: `edit` rewrites the payload, `key` signs (default: the provider's own key). */
    tamper(edit, key) {
      state.tamper = edit ? { edit, key } : null;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
