import { expect, makeUser, signIn, test } from "./fixtures";

// Static files live in public/: served as they are, to anonymous visitors too (the sign-in page
// shows the logo), and the logo is the favicon.
test("public/ assets are served to anyone, and the logo is the favicon and the sign-in and sidebar image", async ({ page, request }) => {
  for (const [path, type] of [
    ["/logo.svg", "image/svg+xml"],
    ["/screenshots/overview.png", "image/png"],
  ] as const) {
    const res = await request.get(path, { maxRedirects: 0 });
    expect(res.status(), path).toBe(200);
    expect(res.headers()["content-type"], path).toContain(type);
  }

  await page.goto("/login");
  await expect(page.locator('link[rel="icon"]')).toHaveAttribute("href", /^\/logo\.svg/);
  const loaded = (selector: string) =>
    page
      .locator(selector)
      .first()
      .evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0);
  await expect.poll(() => loaded('img[src="/logo.svg"]')).toBe(true);

  await signIn(page, await makeUser("auditor"));
  await expect.poll(() => loaded('aside img[src="/logo.svg"], nav img[src="/logo.svg"], img[src="/logo.svg"]')).toBe(true);
});
