import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

const config = [
  ...nextVitals,
  ...nextTs,
  { ignores: ["lib/generated/**", ".openclaw-test/**", ".warden-e2e/**", ".next/**", ".warden/**", "node_modules/**", "next-env.d.ts", "test-results/**", "playwright-report/**", "connectors/**"] },
  {
    files: ["components/**/*.{ts,tsx}"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [{ group: ["@/lib/db", "@/lib/*/service", "@/lib/*/queries", "@/lib/audit/*"], message: "components never import the database or services" }] }],
    },
  },
  {
    // Query parameters reach the database: read them through queryParams(req) (lib/api.ts), which
    // refuses NUL bytes and text that is not valid UTF-8 with a 400 naming the parameter.
    files: ["app/api/**/*.ts"],
    rules: {
      "no-restricted-syntax": ["error", { selector: "MemberExpression[property.name='searchParams']", message: "Read query parameters through queryParams(req) from @/lib/api." }],
    },
  },
  {
    // The gateway plane's transport knows signatures, gateway credentials, body limits and rate
    // limits, and nothing of what the requests mean: the domains (tool calls, allowlist, gateways,
    // outbox …) import it, never the other way round (docs/architecture.md).
    files: ["lib/connector/**/*.ts"],
    ignores: ["lib/connector/**/*.test.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [{ regex: "^@/lib/(?!connector/|db|db-raw|db-group|crypto|validation|shutdown|errors|env|auth/actor|net/)", message: "lib/connector is transport only: it must not import a domain module" }, { regex: "^\\.\\./", message: "lib/connector is transport only: import lower layers through @/lib/…" }] }],
    },
  },
];
export default config;
