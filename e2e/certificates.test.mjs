// 我的证书 in Chromium: a user gets a personal P-256 certificate (PIN twice), changes its PIN,
// sees a wrong PIN cost an attempt, renews it with the PIN, and revokes the renewed one with
// a reason; then an SM2 one, which five wrong PINs lock and an SMS code unlocks (忘记证书密码).
// English switch; no console error.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  openPage, startServer, launchBrowser, skipReason, api, captchaAnswer, smsCode,
} from "./harness.mjs";

const SHOTS = `${import.meta.dirname}/test-results`;

test("the certificates page", async (t) => {
  const reason = skipReason();
  if (reason) return t.skip(reason);
  const server = await startServer();
  const browser = await launchBrowser();
  try {
    const { page, errors } = await openPage(browser);

    await page.goto(`${server.base}/login`);
    await page.fill("#login", "demouser");
    await page.fill("#password", "Signet-demo-2026");
    await page.click("#login-submit");
    await page.waitForURL(`${server.base}/`);
    await page.click("#account-menu");
    await page.click("#menu-certificates");
    await page.waitForURL(/\/certificates$/);
    await page.locator("#no-certificates").waitFor();

    // Issue: the PINs must match.
    await page.fill("#issue-pin", "135790");
    await page.fill("#issue-pin2", "135791");
    await page.click("#issue-submit");
    await page.getByRole("alert").getByText("两次输入的 PIN 不一致").waitFor();
    await page.fill("#issue-pin2", "135790");
    await page.click("#issue-submit");
    await page.getByText("证书已签发").waitFor();
    const row = page.locator("tbody.certificate").first();
    await row.waitFor();
    assert.match(await row.innerText(), /李四[\s\S]*个人证书[\s\S]*ECDSA P-256[\s\S]*有效\s+5/);

    // Change the PIN.
    await row.locator(".op-pin").click();
    await row.locator(".old-pin").fill("135790");
    await row.locator(".new-pin").fill("246802");
    await row.locator(".new-pin2").fill("246802");
    await row.locator(".action-submit").click();
    await page.getByText("PIN 已修改").waitFor();

    // A wrong PIN costs an attempt.
    const current = page.locator("tbody.certificate[data-status=valid]").first();
    await current.locator(".op-renew").click();
    await current.locator(".old-pin").fill("135790");
    await current.locator(".action-submit").click();
    await page.getByRole("alert").waitFor();
    await page.reload();
    await page.locator("tbody.certificate td.pin-left", { hasText: "4" }).waitFor();

    // Renew with the right PIN: a new certificate; then revoke it.
    const again = page.locator("tbody.certificate[data-status=valid]").first();
    await again.locator(".op-renew").click();
    await again.locator(".old-pin").fill("246802");
    await again.locator(".action-submit").click();
    await page.getByText("证书已续期").waitFor();
    await page.screenshot({ path: `${SHOTS}/certificates-zh.png` }).catch(() => {});
    const renewed = page.locator("tbody.certificate[data-status=valid]").first();
    await renewed.locator(".op-revoke").click();
    await renewed.locator("select.reason").selectOption("keyCompromise");
    await renewed.locator(".action-submit").click();
    await page.getByText("证书已吊销").waitFor();
    await page.locator("tbody.certificate[data-status=valid]").first().waitFor({ state: "detached" });

    // SM2.
    await page.selectOption("#issue-algorithm", "sm2");
    await page.fill("#issue-pin", "975310");
    await page.fill("#issue-pin2", "975310");
    await page.click("#issue-submit");
    await page.locator("tbody.certificate[data-status=valid]", { hasText: "SM2" }).waitFor();

    // Five wrong PINs lock it (over the API); 忘记证书密码 by SMS unlocks it, PIN unchanged.
    const token = (await api(server.base, "/api/v1/auth/login", {
      body: { login: "demouser", password: "Signet-demo-2026" },
    })).access_token;
    const certs = await api(server.base, "/api/v1/certificates", { token, method: "GET" });
    const sm2 = certs.items.find((c) => c.algorithm === "sm2");
    for (let i = 0; i < 5; i++) {
      const r = await fetch(`${server.base}/api/v1/certificates/${sm2.id}/renew`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
        body: JSON.stringify({ pin: "000000" }),
      });
      assert.ok(r.status >= 400, `wrong PIN ${i}: ${r.status}`);
    }
    await page.reload();
    const locked = page.locator("tbody.certificate[data-status=locked]");
    await locked.waitFor();
    await locked.locator(".op-unlock").click();
    await page.fill("#reset-phone", "13800000002");
    await page.fill("#captcha", await captchaAnswer(page, server.base));
    await page.click("#send-code");
    await page.getByText("验证码已发送").waitFor();
    await page.fill("#sms_code", await smsCode(server.base, "13800000002"));
    await page.screenshot({ path: `${SHOTS}/certificates-unlock-zh.png` }).catch(() => {});
    await page.click("#reset-submit");
    await page.getByText("证书已解锁").waitFor();
    const unlocked = page.locator("tbody.certificate[data-status=valid]", { hasText: "SM2" });
    await unlocked.waitFor();
    assert.equal(await unlocked.locator("td.pin-left").innerText(), "5");
    // The PIN is the one it had.
    await api(server.base, `/api/v1/certificates/${sm2.id}/renew`, { token, body: { pin: "975310" } });

    await page.click("#lang-switch");
    await page.getByRole("heading", { name: "Certificates" }).waitFor();
    await page.getByText("Certificate unlocked").waitFor();
    await page.screenshot({ path: `${SHOTS}/certificates-en.png` }).catch(() => {});
    assert.deepEqual(errors.filter((e) => !/status of 4\d\d/.test(e)), [], "no errors in the console");
  } finally {
    await browser.close();
    await server.stop();
  }
});
