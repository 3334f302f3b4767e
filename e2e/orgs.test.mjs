// 企业管理 in Chromium: the demo admin opens the organisation's members, grants the member
// 发起权限 (which /me then reports), is refused demoting the last admin with the rule's
// message, invites a registered user by phone; that user accepts the invitation on the same
// page and sees the organisation; the admin removes them again; a new organisation is
// created. English switch; no console errors but the refusal the test provokes.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  openPage, startServer, launchBrowser, skipReason, api, registerPlainUser, logIn, logOut,
} from "./harness.mjs";

const SHOTS = `${import.meta.dirname}/test-results`;

test("the organisation page", async (t) => {
  const reason = skipReason();
  if (reason) return t.skip(reason);
  const server = await startServer();
  const browser = await launchBrowser();
  try {
    await registerPlainUser(server.base);
    const { page, errors } = await openPage(browser, /status of 4\d\d/);
    page.on("dialog", (d) => d.accept());

    await logIn(page, server.base, "demoadmin");
    await page.click("#account-menu");
    await page.click("#menu-orgs");
    await page.waitForURL(/\/orgs$/);
    const org = page.locator("#org-table tr.org", { hasText: "示例科技有限公司" });
    await org.waitFor();
    assert.match(await org.innerText(), /管理员/);
    await org.locator(".op-members").click();
    const li = page.locator("#member-table tr.member", { hasText: "李四" });
    await li.waitFor();
    assert.match(await li.locator(".member-grants").innerText(), /无/);

    // 发起权限 for the member.
    await li.locator(".op-grant").click();
    await page.locator(".notice", { hasText: "成员已更新" }).waitFor();
    await page.locator("#member-table tr.member", { hasText: "李四" }).locator(".member-grants", { hasText: "发起权限" }).waitFor();
    const member = (await api(server.base, "/api/v1/auth/login", {
      body: { login: "demouser", password: "Signet-demo-2026" },
    })).access_token;
    const me = await api(server.base, "/api/v1/me", { token: member, method: "GET" });
    assert.equal(me.organizations[0].may_initiate, true);

    // The last admin cannot become a member: the rule's own message.
    await page.locator("#member-table tr.member", { hasText: "张三" }).locator(".op-role").click();
    await page.locator(".error", { hasText: "至少需要保留一名管理员" }).waitFor();

    // Invite 王五 by phone.
    await page.fill("#invite-phone", "13912340001");
    await page.click("#invite-submit");
    await page.locator(".notice", { hasText: "邀请已发送" }).waitFor();
    await page.locator("#org-invitations li", { hasText: "139****0001" }).waitFor();
    await page.screenshot({ path: `${SHOTS}/orgs-admin-zh.png`, fullPage: true });
    await logOut(page);

    // 王五 accepts.
    await logIn(page, server.base, "wangwu2026", "Secret-2026");
    await page.goto(`${server.base}/orgs`);
    await page.locator("#no-orgs").waitFor();
    const invitation = page.locator("#my-invitations li", { hasText: "示例科技有限公司" });
    await invitation.waitFor();
    await page.screenshot({ path: `${SHOTS}/orgs-invitation-zh.png`, fullPage: true });
    await invitation.locator(".accept").click();
    await page.locator(".notice", { hasText: "已加入企业" }).waitFor();
    await page.locator("#org-table tr.org", { hasText: "示例科技有限公司" }).waitFor();
    assert.match(await page.locator("#org-table tr.org").innerText(), /成员/);
    // A member sees the members but cannot manage them.
    await page.locator("#org-table .op-members").click();
    await page.locator("#member-table tr.member", { hasText: "王五" }).waitFor();
    assert.equal(await page.locator("#member-table .op-remove").count(), 0);
    assert.equal(await page.locator("#invite-form").count(), 0);
    await logOut(page);

    // The admin removes 王五, and creates a second organisation.
    await logIn(page, server.base, "demoadmin");
    await page.goto(`${server.base}/orgs`);
    await page.locator("#org-table .op-members").first().click();
    await page.locator("#member-table tr.member", { hasText: "王五" }).locator(".op-remove").click();
    await page.locator(".notice", { hasText: "成员已移除" }).waitFor();
    await page.locator("#member-table tr.member", { hasText: "王五" }).first().waitFor({ state: "detached" });
    await page.fill("#org-name", "福建瑞术信息科技有限公司");
    await page.click("#create-org-submit");
    await page.locator("#members-title", { hasText: "福建瑞术信息科技有限公司" }).waitFor();
    await page.locator("#org-table tr.org >> nth=1").waitFor();

    await page.click("#lang-switch");
    await page.locator("h1", { hasText: "Organisations" }).waitFor();
    await page.screenshot({ path: `${SHOTS}/orgs-en.png`, fullPage: true });
    await page.click("#lang-switch");
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await server.stop();
  }
});
