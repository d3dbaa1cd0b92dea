import { describe, expect, it } from "vitest";
import { safeNextPath } from "./next-path";

const BASE = "https://warden.example.com";

describe("safeNextPath: where sign-in may send the user", () => {
  it("keeps paths on this Warden, with their query and hash", () => {
    expect(safeNextPath("/agents", BASE)).toBe("/agents");
    expect(safeNextPath("/tool-calls?agent=a%20b&since=24h#row-3", BASE)).toBe("/tool-calls?agent=a%20b&since=24h#row-3");
    expect(safeNextPath("/admin/users/", BASE)).toBe("/admin/users/");
    // A same-origin absolute URL is reduced to its path.
    expect(safeNextPath("https://warden.example.com/audit?x=1", BASE)).toBe("/audit?x=1");
  });

  it.each([
    ["protocol-relative", "//evil.example"],
    ["protocol-relative with path", "//evil.example/login"],
    ["backslash", "/\\evil.example"],
    ["two backslashes", "\\\\evil.example"],
    ["backslash then slash", "\\/evil.example"],
    ["slash backslash slash", "/\\/evil.example"],
    ["raw tab", "/\t/evil.example"],
    ["raw newline", "/\n/evil.example"],
    ["raw carriage return", "/\r/evil.example"],
    ["encoded tab", "/%09/evil.example"],
    ["encoded newline", "/%0a/evil.example"],
    ["encoded carriage return", "/%0D/evil.example"],
    ["double-encoded tab", "/%2509/evil.example"],
    ["encoded backslash", "/%5Cevil.example"],
    ["encoded slashes", "/%2F%2Fevil.example"],
    ["encoded slash after slash", "/%2Fevil.example"],
    ["NUL", "/\u0000/evil.example"],
    ["dot segment to a double slash", "/.//evil.example"],
    ["dot-dot segment to a double slash", "/x/..//evil.example"],
    ["leading space", " //evil.example"],
    ["javascript:", "javascript:alert(document.cookie)"],
    ["JavaScript: mixed case", "JaVaScRiPt:alert(1)"],
    ["javascript: with a tab", "java\tscript:alert(1)"],
    ["data:", "data:text/html,<script>alert(1)</script>"],
    ["absolute URL elsewhere", "https://evil.example/"],
    ["other scheme, same host", "http://warden.example.com/"],
    ["other port, same host", "https://warden.example.com:8443/"],
    ["credentials then host", "https://warden.example.com@evil.example/"],
    ["credentials on our host", "https://user:pw@warden.example.com/"],
    ["scheme-relative with another scheme", "https:evil.example"],
    ["too long", "/" + "a".repeat(5000)],
    ["empty", ""],
  ])("refuses %s", (_name, next) => {
    expect(safeNextPath(next, BASE)).toBe("/");
  });

  it("refuses values that are not a single string", () => {
    expect(safeNextPath(undefined, BASE)).toBe("/");
    expect(safeNextPath(["/a", "//evil.example"], BASE)).toBe("/");
    expect(safeNextPath(42, BASE)).toBe("/");
  });

  it("every accepted result is a path a browser resolves to this origin", () => {
    for (const next of ["/a", "a/b", "?x=1", "#h", "/a/../b", "/%E2%9C%93", "/a b"]) {
      const out = safeNextPath(next, BASE);
      expect(out.startsWith("/") && !out.startsWith("//")).toBe(true);
      expect(new URL(out, "https://other.example").origin).toBe("https://other.example");
      expect(new URL(out, BASE).origin).toBe(BASE);
    }
  });
});
