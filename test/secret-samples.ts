/**
 * Realistic credential samples, built here from each format's shape (prefix, length, alphabet)
 * with fresh random bodies: one or more per rule of secretlint's recommended preset, and one per
 * format Warden's own rules add. Each sample says which secretlint rule should detect it (when
 * one should) and which part of it is the secret, so a test can check that none of that part
 * survives. CONTEXTS place a sample where tool calls carry credentials: nested in JSON, inside
 * longer text, in URLs and in header-like free text.
 */
import { generateKeyPairSync, randomBytes, randomInt, randomUUID } from "node:crypto";

export type Sample = { name: string; text: string; secret: string; secretlint?: string };

const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const LOWER = "abcdefghijklmnopqrstuvwxyz";
const DIGITS = "0123456789";
const ALNUM = UPPER + LOWER + DIGITS;
const HEX = "0123456789abcdef";

/** n random characters of an alphabet. */
function pick(alphabet: string, n: number): string {
  let s = "";
  for (let i = 0; i < n; i++) s += alphabet[randomInt(alphabet.length)];
  return s;
}
const alnum = (n: number) => pick(ALNUM, n);
/** n characters of [A-Za-z0-9_-] that start and end alphanumeric (as a token's edges are). */
const word = (n: number) => alnum(1) + pick(ALNUM + "_-", n - 2) + alnum(1);
const hex = (n: number) => pick(HEX, n);
const digits = (n: number) => pick("123456789", 1) + pick(DIGITS, n - 1);
const b64 = (bytes: number) => randomBytes(bytes).toString("base64");
const b64url = (bytes: number) => randomBytes(bytes).toString("base64url");

const sl = (rule: string) => `@secretlint/secretlint-rule-${rule}`;

/** The base64 body of a PEM block (what must not survive), without the armour lines. */
function pemBody(pem: string): string {
  return pem
    .split("\n")
    .filter((l) => l && !l.startsWith("-----"))
    .join("");
}

/** Samples for every detector of @secretlint/secretlint-rule-preset-recommend (v11). */
export function secretlintSamples(): Sample[] {
  const out: Sample[] = [];
  const add = (name: string, secretlint: string, text: string, secret: string) => out.push({ name, secretlint: sl(secretlint), text, secret });

  const akia = `AKIA${pick(UPPER + DIGITS, 16)}`;
  add("aws access key id", "aws", akia, akia);
  const asia = `ASIA${pick(UPPER + DIGITS, 16)}`;
  add("aws temporary key id", "aws", asia, asia);
  const awsSecret = pick(ALNUM + "/+", 39) + alnum(1);
  add("aws secret access key (ini)", "aws", `aws_secret_access_key = ${awsSecret}`, awsSecret);
  const awsSecret2 = pick(ALNUM + "/+", 39) + alnum(1);
  add("aws secret access key (env, quoted)", "aws", `AWS_SECRET_ACCESS_KEY="${awsSecret2}"`, awsSecret2);

  const gcpKey = generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  const serviceAccount = {
    type: "service_account",
    project_id: `billing-${hex(6)}`,
    private_key_id: hex(40),
    private_key: gcpKey,
    client_email: `exporter@billing-${hex(6)}.iam.gserviceaccount.com`,
    client_id: digits(21),
    token_uri: "https://oauth2.googleapis.com/token",
  };
  add("gcp service account json", "gcp", JSON.stringify(serviceAccount, null, 2), pemBody(gcpKey));

  const npmToken = `npm_${alnum(36)}`;
  add("npm access token", "npm", npmToken, npmToken);
  const npmrc = randomUUID();
  add("npmrc _authToken", "npm", `//registry.npmjs.org/:_authToken=${npmrc}`, npmrc);
  const oauth = hex(40);
  add("github x-oauth-basic url (npm)", "npm", `git+https://${oauth}:x-oauth-basic@github.com/acme/private-lib.git`, oauth);

  const xoxb = `xoxb-${digits(12)}-${digits(13)}-${alnum(24)}`;
  add("slack bot token", "slack", xoxb, xoxb.slice(5));
  const xoxp = `xoxp-${digits(12)}-${digits(12)}-${digits(13)}-${hex(32)}`;
  add("slack user token", "slack", xoxp, xoxp.slice(5));
  const xapp = `xapp-1-A0${pick(UPPER + DIGITS, 9)}-${digits(13)}-${hex(64)}`;
  add("slack app token", "slack", xapp, xapp.slice(5));
  const hookSecret = alnum(24);
  add("slack incoming webhook", "slack", `https://hooks.slack.com/services/T0${pick(UPPER + DIGITS, 8)}/B0${pick(UPPER + DIGITS, 9)}/${hookSecret}`, hookSecret);

  const basicPw = `${alnum(10)}-${alnum(8)}`;
  add("basic auth in url", "basicauth", `https://deploy-bot:${basicPw}@registry.internal-corp.net/v2/_catalog`, basicPw);

  const proj = `sk-proj-${word(74)}T3BlbkFJ${word(74)}`;
  add("openai project key", "openai", proj, proj.slice(3));
  const legacy = `sk-${alnum(20)}T3BlbkFJ${alnum(20)}`;
  add("openai legacy key", "openai", legacy, legacy.slice(3));
  const ant = `sk-ant-api03-${word(93)}AA`;
  add("anthropic api key", "anthropic", ant, ant.slice(7));

  const lin = `lin_api_${alnum(40)}`;
  add("linear api key", "linear", lin, lin);

  const rsa1 = generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();
  add("rsa private key (pkcs1)", "privatekey", rsa1, pemBody(rsa1));
  const ec = generateKeyPairSync("ec", { namedCurve: "P-384" }).privateKey.export({ type: "sec1", format: "pem" }).toString();
  add("ec private key (sec1)", "privatekey", ec, pemBody(ec));
  const rsa8 = generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  add("private key (pkcs8)", "privatekey", rsa8, pemBody(rsa8));

  const sg = `SG.${pick(ALNUM + "_", 22)}.${pick(ALNUM + "_", 21)}-${pick(ALNUM + "_", 21)}`;
  add("sendgrid api key", "sendgrid", sg, sg.slice(3));

  const shpat = `shpat_${hex(32)}`;
  add("shopify admin token", "shopify", shpat, shpat);
  const shpss = `shpss_${hex(32)}`;
  add("shopify shared secret", "shopify", shpss, shpss);

  const ghp = `ghp_${alnum(36)}`;
  add("github classic pat", "github", ghp, ghp);
  const ghs = `ghs_${alnum(36)}`;
  add("github app token", "github", ghs, ghs);
  const fine = `github_pat_${alnum(22)}_${alnum(59)}`;
  add("github fine-grained pat", "github", fine, fine);

  // A 1Password service account token: ops_ + base64 of a JSON object (ends in "}" → "fQ").
  let account = JSON.stringify({
    signInAddress: "acme.1password.com",
    userAuth: { method: "SRPg-4096", alg: "PBES2g-HS256", iterations: 650000, salt: b64url(16) },
    email: `${hex(12)}@1passwordserviceaccounts.com`,
    srpX: hex(64),
    muk: { alg: "A256GCM", ext: false, k: b64url(32), key_ops: ["decrypt", "encrypt"], kty: "oct", kid: "mp" },
    secretKey: `A3-${pick(UPPER + DIGITS, 6)}-${pick(UPPER + DIGITS, 6)}-${pick(UPPER + DIGITS, 5)}-${pick(UPPER + DIGITS, 5)}-${pick(UPPER + DIGITS, 5)}-${pick(UPPER + DIGITS, 5)}`,
    throttleSecret: { seed: hex(64), uuid: randomUUID() },
    deviceUuid: alnum(26),
  });
  while (account.length % 3 !== 1) account = account.slice(0, -1) + " }";
  const ops = `ops_${Buffer.from(account).toString("base64")}`;
  add("1password service account token", "1password", ops, ops.slice(4));

  const pgPw = `${alnum(12)}${pick("!%*-_", 1)}${alnum(6)}`;
  add("postgres url", "database-connection-string", `postgresql://billing_app:${pgPw}@pg-prod-01.internal.acme.io:5432/billing?sslmode=require`, pgPw);
  const myPw = alnum(18);
  add("mysql url", "database-connection-string", `mysql://reporting:${myPw}@10.20.30.40:3306/analytics`, myPw);
  const mongoPw = alnum(20);
  add("mongodb+srv url", "database-connection-string", `mongodb+srv://svc-orders:${mongoPw}@cluster0.ab1cd.mongodb.net/orders?retryWrites=true&w=majority`, mongoPw);
  return out;
}

/**
 * Samples of formats secretlint's recommended preset (v11) does not detect, for Warden's own
 * rules: the credentials the issue found stored in clear, and the generic key=value and header
 * forms they were carried in.
 */
export function wardenSamples(): Sample[] {
  const out: Sample[] = [];
  const add = (name: string, text: string, secret: string) => out.push({ name, text, secret });

  const qpw = `${alnum(9)}${pick("!*-_.~", 1)}${alnum(5)}`;
  add("password in a query string", `https://legacy.acme-intranet.com/api/login?user=ops&password=${qpw}&format=json`, qpw);
  const pw2 = alnum(14);
  add("pwd= in a connection string", `Server=tcp:sql01.acme.local,1433;Database=crm;User Id=crm_app;Pwd=${pw2};Encrypt=true`, pw2);
  const azure = b64(64);
  add("azure storage AccountKey", `DefaultEndpointsProtocol=https;AccountName=acmelogs${hex(4)};AccountKey=${azure};EndpointSuffix=core.windows.net`, azure);
  const sbKey = b64(32);
  add("azure service bus SharedAccessKey", `Endpoint=sb://acme-bus.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=${sbKey}`, sbKey);
  const sig = encodeURIComponent(b64(32));
  add("azure SAS sig= in a URL", `https://acmelogs.blob.core.windows.net/exports/report.csv?sv=2022-11-02&ss=b&srt=o&sp=r&se=2026-12-31T00:00:00Z&spr=https&sig=${sig}`, sig);
  const twilioToken = hex(32);
  add("twilio auth token (env)", `TWILIO_ACCOUNT_SID=AC${hex(32)}\nTWILIO_AUTH_TOKEN=${twilioToken}`, twilioToken);
  const twilioToken2 = hex(32);
  add("twilio auth token (curl -u)", `curl -X POST https://api.twilio.com/2010-04-01/Accounts/AC${hex(32)}/Messages.json -u AC${hex(32)}:${twilioToken2} --data-urlencode "Body=hi"`, twilioToken2);
  const twilioSk = `SK${hex(32)}`;
  add("twilio api key", `Using Twilio API key ${twilioSk} for the video room`, twilioSk);
  const glpat = `glpat-${word(20)}`;
  add("gitlab personal access token", `git clone https://oauth2:${glpat}@gitlab.com/acme/infra.git`, glpat);
  const glpat2 = `glpat-${word(20)}`;
  add("gitlab token in a header", `PRIVATE-TOKEN: ${glpat2}`, glpat2);
  const hf = `hf_${pick(UPPER + LOWER, 34)}`;
  add("hugging face token", `huggingface-cli login --token ${hf}`, hf);
  const mailgun = `key-${hex(32)}`;
  add("mailgun api key", `curl -s --user 'api:${mailgun}' https://api.mailgun.net/v3/mg.acme.io/messages`, mailgun);
  const mailgun2 = `${hex(32)}-${hex(8)}-${hex(8)}`;
  add("mailgun private key (new format)", `{"provider":"mailgun","apiKey":"${mailgun2}"}`, mailgun2);
  const discord = `${word(68)}`;
  add("discord webhook url", `https://discord.com/api/webhooks/${digits(19)}/${discord}`, discord);
  const dop = `dop_v1_${hex(64)}`;
  add("digitalocean token", `doctl auth init --access-token ${dop}`, dop);
  const pypi = `pypi-AgEIcHlwaS5vcmc${word(70)}`;
  add("pypi upload token", `[pypi]\nusername = __token__\npassword = ${pypi}`, pypi);
  const pypi2 = `pypi-AgEIcHlwaS5vcmc${word(70)}`;
  add("pypi token in free text", `twine upload dist/* -u __token__ ${pypi2}`, pypi2);
  const tg = `${digits(10)}:AA${word(33)}`;
  add("telegram bot token", `https://api.telegram.org/bot${tg}/sendMessage?chat_id=-100${digits(10)}`, tg);
  const tg2 = `${digits(9)}:AA${word(33)}`;
  add("telegram bot token (text)", `bot token is ${tg2}`, tg2);
  const xapikey = alnum(32);
  add("X-API-Key header in text", `GET /v1/reports HTTP/1.1\r\nHost: api.vendor.io\r\nX-API-Key: ${xapikey}\r\nAccept: application/json`, xapikey);
  const cookie = b64url(24);
  add("Cookie header in text", `Cookie: _ga=GA1.2.${digits(9)}; sessionid=${cookie}; csrftoken=${alnum(32)}`, cookie);
  const setCookie = b64url(24);
  add("Set-Cookie header in text", `HTTP/1.1 302 Found\nSet-Cookie: __Host-session=${setCookie}; Path=/; Secure; HttpOnly`, setCookie);
  const basicCreds = Buffer.from(`svc-backup:${alnum(16)}`).toString("base64");
  add("Authorization: Basic in text", `Authorization: Basic ${basicCreds}`, basicCreds);
  const opaque = alnum(12);
  add("Authorization with a short opaque token", `authorization: ${opaque}`, opaque);
  const jwt = `eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.${b64url(60)}.${b64url(64)}`;
  add("jwt", `id_token=${jwt}`, jwt.slice(37));
  const stripe = `sk_live_${alnum(99)}`;
  add("stripe secret key", stripe, stripe);
  const google = `AIza${word(35)}`;
  add("google api key", `https://maps.googleapis.com/maps/api/geocode/json?address=Paris&key=${google}`, google);
  const ya29 = `ya29.a0${word(150)}`;
  add("google oauth access token", ya29, ya29.slice(5));
  const clientSecret = `GOCSPX-${word(28)}`;
  add("google oauth client secret", `{"installed":{"client_id":"${digits(12)}-${alnum(32)}.apps.googleusercontent.com","client_secret":"${clientSecret}"}}`, clientSecret);
  const wdn = `wdn_${b64url(32)}`;
  add("warden api token", wdn, wdn);
  const secretEnv = alnum(40);
  add("generic secret env var", `DJANGO_SECRET_KEY=${secretEnv}`, secretEnv);
  const jsonPw = `${alnum(8)} ${alnum(8)}`;
  add("password in JSON text with a space", `{"username":"ops","password":"${jsonPw}"}`, jsonPw);
  return out;
}

/** Where tool calls carry a credential: (name, place the sample text there). */
export const CONTEXTS: [string, (s: string) => string][] = [
  ["bare", (s) => s],
  ["sentence", (s) => `The tool answered: using ${s} for the request (copied from the vault).`],
  ["json", (s) => JSON.stringify({ request: { args: [{ value: s }], note: `copy of ${s}` } })],
  ["url-query", (s) => `https://api.example-vendor.com/v2/items?page=2&q=${s}&sort=asc`],
  ["url-userinfo", (s) => `https://svc:${s}@internal.example-vendor.com/hook`],
  ["x-api-key", (s) => `POST /v1/run HTTP/1.1\r\nHost: api.example-vendor.com\r\nX-API-Key: ${s}\r\nAccept: */*`],
  ["authorization", (s) => `curl -H "Authorization: Bearer ${s}" https://api.example-vendor.com/v1/me`],
  ["cookie", (s) => `Cookie: theme=dark; sid=${s}; lang=en`],
  ["password=", (s) => `login failed for user=bob password=${s} host=db1`],
  ["env", (s) => `export DEPLOY_VALUE="${s}"\nexport REGION=eu-west-1`],
];

/** Whether any part of the secret (any window of 8 characters, or all of a shorter one) is in text. */
export function leaks(text: string, secret: string): boolean {
  const w = Math.min(8, secret.length);
  for (let i = 0; i + w <= secret.length; i++) if (text.includes(secret.slice(i, i + w))) return true;
  return false;
}
