// 印章管理 in Chromium: the demo admin sees the organisation's 公章 with its image; generates
// a signature seal; uploads a scan (a page rendered by pdftoppm, white background) as a
// personal seal, renames it, binds it to a personal certificate and disables it; grants the
// 公章 to the demo member, which the API then reports. English switch; no console errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openPage, startServer, launchBrowser, skipReason } from "./harness.mjs";

const CORPUS = join(import.meta.dirname, "../../shared/corpus/pdf/reportlab-three-pages.pdf");
const SHOTS = `${import.meta.dirname}/test-results`;

async function api(base, path, { body, token, method = "POST" } = {}) {
  const headers = { "Content-Type": "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  const r = await fetch(`${base}${path}`, { method, headers, body: body && JSON.stringify(body) });
  const text = await r.text();
  assert.ok(r.ok, `${path}: ${r.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

test("the seals page", async (t) => {
  const reason = skipReason();
  if (reason) return t.skip(reason);
  const dir = mkdtempSync(join(tmpdir(), "signet-seals-"));
  execFileSync("pdftoppm", ["-png", "-r", "30", "-f", "1", "-singlefile", CORPUS, join(dir, "scan")]);
  const server = await startServer();
  const browser = await launchBrowser();
  try {
    const admin = (await api(server.base, "/api/v1/auth/login", {
      body: { login: "demoadmin", password: "Signet-demo-2026" },
    })).access_token;
    const cert = await api(server.base, "/api/v1/certificates", {
      token: admin, body: { kind: "personal", algorithm: "sm2", pin: "135790" },
    });

    const { page, errors } = await openPage(browser);
    page.on("dialog", (d) => d.accept());

    await page.goto(`${server.base}/login`);
    await page.fill("#login", "demoadmin");
    await page.fill("#password", "Signet-demo-2026");
    await page.click("#login-submit");
    await page.locator("#welcome").waitFor();
    await page.click("#account-menu");
    await page.click("#menu-seals");
    await page.waitForURL(/\/seals$/);

    // The organisation's 公章, with its image, bound to the organisation's certificate.
    const company = page.locator('.seal-card[data-kind="company"]');
    await company.locator(".seal-image img").waitFor();
    assert.match(await company.innerText(), /公章 · 示例科技有限公司/);
    assert.doesNotMatch(await company.locator(".bound").innerText(), /未绑定/);
    const natural = await company.locator(".seal-image img").evaluate((i) => i.naturalWidth);
    assert.ok(natural > 0, "the image loaded");

    // A signature seal from the real name.
    await page.fill("#generate-name", "张三签名");
    await page.click("#generate-submit");
    await page.locator(".seal-card", { hasText: "张三签名" }).waitFor();

    // A scan uploaded as a personal seal, previewed first.
    await page.setInputFiles("#seal-file", join(dir, "scan.png"));
    await page.locator("#seal-preview").waitFor();
    assert.equal(await page.inputValue("#seal-name"), "scan");
    await page.fill("#seal-name", "扫描章");
    await page.click("#upload-submit");
    const scan = page.locator(".seal-card", { hasText: "扫描章" });
    await scan.locator(".seal-image img").waitFor();
    await page.screenshot({ path: `${SHOTS}/seals-zh.png`, fullPage: true });

    // Rename it, bind it to the personal SM2 certificate, then disable it.
    await scan.locator(".op-rename").click();
    await scan.locator(".seal-new-name").fill("扫描章（新）");
    await scan.locator(".seal-save").click();
    const renamed = page.locator(".seal-card", { hasText: "扫描章（新）" });
    await renamed.waitFor();
    await renamed.locator(".op-bind").click();
    await renamed.locator(".seal-cert").selectOption(cert.id);
    await renamed.locator(".seal-save").click();
    await page.locator(".notice", { hasText: "印章已保存" }).waitFor();
    const seals = await api(server.base, "/api/v1/seals", { token: admin, method: "GET" });
    const mine = seals.items.find((x) => x.name === "扫描章（新）");
    assert.equal(mine.certificate_id, cert.id);
    await page.locator(".seal-card", { hasText: "扫描章（新）" }).locator(".op-disable").click();
    await page.locator(".notice", { hasText: "印章已停用" }).waitFor();
    await page.locator(".seal-card", { hasText: "扫描章（新）" }).first().waitFor({ state: "detached" });

    // Grant the 公章 to the member.
    await company.locator(".op-grants").click();
    const member = company.locator("label.grant", { hasText: "李四" });
    await member.waitFor();
    await member.locator("input").check();
    await page.screenshot({ path: `${SHOTS}/seals-grants-zh.png`, fullPage: true });
    await company.locator(".grants-save").click();
    await page.locator(".notice", { hasText: "授权已保存" }).waitFor();
    const companyId = await company.getAttribute("data-seal");
    const grants = await api(server.base, `/api/v1/seals/${companyId}/grants`, { token: admin, method: "GET" });
    const me = await api(server.base, "/api/v1/auth/login", {
      body: { login: "demouser", password: "Signet-demo-2026" },
    });
    const memberMe = await api(server.base, "/api/v1/me", { token: me.access_token, method: "GET" });
    assert.deepEqual(grants.user_ids, [memberMe.id]);

    await page.click("#lang-switch");
    await page.locator("h1", { hasText: "Seals" }).waitFor();
    await page.screenshot({ path: `${SHOTS}/seals-en.png`, fullPage: true });
    await page.click("#lang-switch");
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
