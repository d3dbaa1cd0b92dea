import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

// Settings are read only through lib/env.ts (typed, validated, documented defaults). Allowed
// elsewhere: process.env.NODE_ENV and process.env.NEXT_RUNTIME, which Next replaces at build time
// (moving them behind a function would defeat its dead-code elimination).
const NEXT_INLINED = "/^(NODE_ENV|NEXT_RUNTIME)$/";
const PROCESS_ENV = [
  {
    selector: `MemberExpression[object.type='MemberExpression'][object.object.name='process'][object.property.name='env'][property.name!=${NEXT_INLINED}]`,
    message: "Read settings through lib/env.ts (env() or settings.*), not process.env.",
  },
  { selector: "MemberExpression[object.name='process'][computed=true]", message: "Read settings through lib/env.ts (env() or settings.*), not process.env." },
  { selector: ":not(MemberExpression) > MemberExpression[object.name='process'][property.name='env']", message: "Read settings through lib/env.ts (env() or settings.*), not process.env." },
];

const config = [
  ...nextVitals,
  ...nextTs,
  { ignores: ["lib/generated/**", ".openclaw-test/**", ".warden-e2e/**", ".next/**", ".warden/**", "node_modules/**", "next-env.d.ts", "test-results/**", "playwright-report/**", "connectors/**"] },
  {
    // Exempt: lib/env.ts itself; scripts/ (the launcher and CLIs run before and outside the app and
    // configure it through the environment), e2e/, test/ and *.test.ts (they set up the server
    // under test), bench/ (load generators configured like scripts), and the tools' config files.
    ignores: ["lib/env.ts", "scripts/**", "e2e/**", "test/**", "bench/**", "**/*.test.ts", "*.config.{ts,mjs}"],
    rules: { "no-restricted-syntax": ["error", ...PROCESS_ENV] },
  },
  {
    files: ["components/**/*.{ts,tsx}"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: [{ group: ["@/lib/db", "@/lib/*/service", "@/lib/*/queries", "@/lib/audit/*", "!@/lib/audit/actions"], message: "components never import the database or services" }] },
      ],
    },
  },
  {
    // Query parameters reach the database: read them through queryParams(req) (lib/api.ts), which
    // refuses NUL bytes and text that is not valid UTF-8 with a 400 naming the parameter.
    files: ["app/api/**/*.ts"],
    rules: {
      "no-restricted-syntax": ["error", { selector: "MemberExpression[property.name='searchParams']", message: "Read query parameters through queryParams(req) from @/lib/api." }, ...PROCESS_ENV],
    },
  },
  {
    // The gateway plane's transport knows signatures, gateway credentials, body limits and rate
    // limits, and nothing of what the requests mean: the domains (tool calls, allowlist, gateways,
    // outbox …) import it, never the other way round (docs/architecture.md).
    files: ["lib/connector/**/*.ts"],
    ignores: ["lib/connector/**/*.test.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { regex: "^@/lib/(?!connector/|db|db-raw|db-group|crypto|validation|shutdown|errors|env|auth/actor|net/)", message: "lib/connector is transport only: it must not import a domain module" },
            { regex: "^\\.\\./", message: "lib/connector is transport only: import lower layers through @/lib/…" },
          ],
        },
      ],
    },
  },
];
export default config;
