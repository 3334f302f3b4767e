// A new user registers through the panel (captcha, SMS code, agreements), logs in with the
// password, switches the panel to English, logs out, and logs in again with an SMS code; then
// 取消注册, an agreement read as a page, and 忘记密码 followed by a login with the new password.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  openPage, startServer, launchBrowser, skipReason, idNumber, captchaAnswer, smsCode,
} from "./harness.mjs";

const SHOTS = `${import.meta.dirname}/test-results`;

test("register and log in through the panel", async (t) => {
  const reason = skipReason();
  if (reason) return t.skip(reason);
  const server = await startServer();
  const browser = await launchBrowser();
  try {
    const page = await browser.context.newPage();
    const pageErrors = [];
    page.on("pageerror", (e) => pageErrors.push(e.message));
    page.on("console", (m) => m.type() === "error" && !m.text().includes("status of 4") && pageErrors.push(m.text()));
    const phone = "13912345678";
    await page.goto(`${server.base}/register`);
    await page.getByRole("heading", { name: "欢迎注册电子合同签订平台" }).waitFor();
    // The installation's support line in the header.
    await page.locator("#support-phone", { hasText: "客服电话 400-830-1234" }).waitFor();
    await page.fill("#account_name", "zhangwei01");
    await page.fill("#real_name", "张伟");
    const id = idNumber("35010219900307123");
    await page.fill("#id_card_number", id);
    await page.fill("#password", "Secret-2026");
    await page.fill("#password2", "Secret-2026");
    await page.fill("#phone", phone);
    await page.fill("#captcha", await captchaAnswer(page, server.base));
    await page.click("#send-code");
    await page.getByText("验证码已发送").waitFor();
    await page.fill("#sms_code", await smsCode(server.base, phone));
    // The agreements are linked from the form.
    await page.getByRole("link", { name: "《用户协议》" }).waitFor();
    await page.check("#agree");
    await page.screenshot({ path: `${import.meta.dirname}/test-results/register-zh.png` }).catch(() => {});
    await page.click("#register-submit");
    await page.waitForURL(/\/login\?registered=1/);
    await page.getByText("注册成功，请登录").waitFor();

    await page.fill("#login", "zhangwei01");
    await page.fill("#password", "Secret-2026");
    await page.click("#login-submit");
    await page.waitForURL(`${server.base}/`);
    const welcome = page.locator("#welcome");
    await welcome.waitFor();
    assert.match(await welcome.innerText(), /欢迎, 张伟/);
    // The ID number is only ever shown masked.
    assert.equal(await page.locator("#id-card").innerText(), `${id.slice(0, 4)}**********${id.slice(14)}`);
    await page.screenshot({ path: `${import.meta.dirname}/test-results/home-zh.png` }).catch(() => {});

    // English on request; problems from the API follow the language too.
    await page.click("#lang-switch");
    await page.getByText("Welcome, 张伟").waitFor();
    await page.click("#logout");
    await page.waitForURL(/\/login$/);
    await page.fill("#login", "zhangwei01");
    await page.fill("#password", "Wrong-2026");
    await page.click("#login-submit");
    await page.getByRole("alert").getByText("Wrong account or password").waitFor();

    // SMS-code login as the demo admin.
    await page.click("#tab-sms");
    await page.fill("#phone", "13800000001");
    await page.fill("#captcha", await captchaAnswer(page, server.base));
    await page.click("#send-code");
    await page.getByText("Code sent").waitFor();
    await page.fill("#sms_code", await smsCode(server.base, "13800000001"));
    await page.click("#login-submit");
    await page.getByText("Welcome, 张三").waitFor();
    await page.getByText("May initiate").waitFor();
    await page.screenshot({ path: `${import.meta.dirname}/test-results/home-en.png` }).catch(() => {});
    assert.deepEqual(pageErrors, [], "the panel raised no errors");
  } catch (e) {
    console.error(server.log());
    throw e;
  } finally {
    await browser.close();
    await server.stop();
  }
});

test("forgotten password, cancelling a registration, and the agreements", async (t) => {
  const reason = skipReason();
  if (reason) return t.skip(reason);
  const server = await startServer();
  const browser = await launchBrowser();
  try {
    const { page, errors } = await openPage(browser);

    // 取消注册 leaves the registration form for the login page.
    await page.goto(`${server.base}/register`);
    await page.click("#cancel-register");
    await page.waitForURL(/\/login$/);

    // The agreements open as pages of text, not as JSON.
    await page.goto(`${server.base}/register`);
    const [agreement] = await Promise.all([
      browser.context.waitForEvent("page"),
      page.locator("a", { hasText: "用户协议" }).first().click(),
    ]);
    await agreement.waitForURL(/\/agreements\/user_agreement\/1$/);
    await agreement.locator("#agreement-title").waitFor();
    assert.match(await agreement.locator("#agreement-title").innerText(), /用户协议/);
    assert.ok(await agreement.locator("#agreement-body li").count() >= 5);
    assert.doesNotMatch(await agreement.locator("body").innerText(), /"body"|\{/);
    await agreement.screenshot({ path: `${SHOTS}/agreement-zh.png` });
    await agreement.close();

    // 忘记密码: a new password after an SMS code, then a login with it.
    await page.goto(`${server.base}/login`);
    await page.click("#forgot-password");
    await page.waitForURL(/\/password\/reset$/);
    await page.fill("#phone", "13800000002");
    await page.fill("#captcha", await captchaAnswer(page, server.base));
    await page.click("#send-code");
    await page.getByText("验证码已发送").waitFor();
    await page.fill("#sms_code", await smsCode(server.base, "13800000002"));
    await page.fill("#password", "Renewed-pass-2026");
    await page.fill("#password2", "Renewed-pass-2026");
    await page.screenshot({ path: `${SHOTS}/forgot-password-zh.png` });
    await page.click("#reset-submit");
    await page.waitForURL(/\/login\?reset=1$/);
    await page.getByText("密码已重置").waitFor();
    await page.fill("#login", "demouser");
    await page.fill("#password", "Renewed-pass-2026");
    await page.click("#login-submit");
    await page.locator("#welcome").waitFor();
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await server.stop();
  }
});
