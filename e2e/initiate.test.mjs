// 发起在线盖章 in Chromium: the demo admin opens the wizard from the home page, drops one
// PDF and picks another, renames them, finds the demo member by "姓名 手机号" (a full-width
// space and an unknown person first), adds themself as a parallel signer, sees a past deadline come back on the
// deadline field, and starts the task while each file's upload progress shows (the upload is
// throttled through the DevTools protocol so the bars can be watched). The member then sees
// the badge and the row with both files. A registered user without any right to initiate has
// no button, and the wizard says why.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  openPage, startServer, launchBrowser, skipReason, api, registerPlainUser, logIn, logOut,
} from "./harness.mjs";

const CORPUS = join(import.meta.dirname, "../../shared/corpus/pdf");
const SHOTS = `${import.meta.dirname}/test-results`;

async function token(base, account) {
  const pair = await api(base, "/api/v1/auth/login", { body: { login: account, password: "Signet-demo-2026" } });
  return pair.access_token;
}


test("initiate a task with two files and two signers", async (t) => {
  const reason = skipReason();
  if (reason) return t.skip(reason);
  const server = await startServer();
  const browser = await launchBrowser();
  try {
    await registerPlainUser(server.base);
    // 4xx answers the test provokes on purpose are logged by Chromium as errors.
    const { page, errors } = await openPage(browser, /status of 4\d\d/);

    // No right to initiate: no button, and the wizard says why.
    await logIn(page, server.base, "wangwu2026", "Secret-2026");
    assert.equal(await page.locator("#start-initiate").count(), 0);
    await page.goto(`${server.base}/initiate`);
    await page.locator("#no-initiate-right").waitFor();
    await page.screenshot({ path: `${SHOTS}/initiate-denied-zh.png` });
    await logOut(page);

    await logIn(page, server.base, "demoadmin");
    await page.click("#start-initiate");
    await page.waitForURL(/\/initiate$/);
    await page.locator("#stage-files").waitFor();
    assert.match(await page.locator("nav.breadcrumbs").innerText(), /主页 \/ 发起在线盖章/);
    assert.ok(await page.locator("#to-signers").isDisabled(), "no files yet");

    // One PDF dropped on the drop zone, one through the picker; the first names the
    // contract; both are renamed.
    const contract = [...readFileSync(join(CORPUS, "chromium-labour-contract.pdf"))];
    const dropped = await page.evaluateHandle((b) => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array(b)], "chromium-labour-contract.pdf", { type: "application/pdf" }));
      return dt;
    }, contract);
    await page.dispatchEvent("#dropzone", "dragover", { dataTransfer: dropped });
    await page.dispatchEvent("#dropzone", "drop", { dataTransfer: dropped });
    await page.locator("#file-table tr.file-row").waitFor();
    await page.setInputFiles("#file-input", join(CORPUS, "reportlab-three-pages.pdf"));
    await page.locator("#file-table tr.file-row >> nth=1").waitFor();
    assert.equal(await page.inputValue("#task-name"), "chromium-labour-contract");
    await page.fill("#task-name", "劳务派遣合同");
    await page.fill("#file-table tr.file-row >> nth=0 >> input.file-name", "劳务派遣合同");
    await page.press("#file-table tr.file-row >> nth=0 >> input.file-name", "Tab");
    await page.fill("#file-table tr.file-row >> nth=1 >> input.file-name", "补充协议");
    await page.press("#file-table tr.file-row >> nth=1 >> input.file-name", "Tab");
    // A past deadline: the server's answer comes back on the deadline field.
    await page.fill("#deadline", "2020-01-01");
    await page.screenshot({ path: `${SHOTS}/initiate-files-zh.png` });
    await page.click("#to-signers");

    // 盖章参与方选择.
    await page.locator("#stage-signers").waitFor();
    assert.match(await page.locator("nav.breadcrumbs").innerText(), /主页 \/ 发起在线盖章 \/ 盖章参与方选择/);
    assert.match(await page.locator("#signers-for").innerText(), /劳务派遣合同.*补充协议/);
    await page.fill("#signer-entry", "李四　13800000002");
    await page.click("#signer-search");
    assert.match(await page.locator("#lookup-error").innerText(), /半角空格/);
    await page.fill("#signer-entry", "李四 13800000009");
    await page.click("#signer-search");
    await page.locator("#no-match").waitFor();
    await page.fill("#signer-entry", "李四 13800000002");
    await page.click("#signer-search");
    const found = page.locator("#signer-results tr.found");
    await found.waitFor();
    assert.match(await found.innerText(), /李四\s+138\*\*\*\*0002\s+示例/);
    await page.screenshot({ path: `${SHOTS}/initiate-lookup-zh.png` });
    await page.click("#choose-signer");
    await page.check("#myself");
    const rows = page.locator("#signer-rows tr.signer-row");
    assert.equal(await rows.count(), 2);
    // Both sign in parallel: the same order number.
    await page.fill("#signer-rows tr.signer-row >> nth=1 >> input.order", "1");
    await page.press("#signer-rows tr.signer-row >> nth=1 >> input.order", "Tab");
    await page.selectOption("#signer-rows tr.signer-row >> nth=0 >> select.mode", "any");
    await page.fill("#signer-rows tr.signer-row >> nth=0 >> input.description", "请李四盖章");
    await page.press("#signer-rows tr.signer-row >> nth=0 >> input.description", "Tab");
    await page.screenshot({ path: `${SHOTS}/initiate-signers-zh.png` });
    await page.click("#to-review");

    // Review, then the deadline problem sends the user back to the field.
    await page.locator("#stage-review").waitFor();
    assert.equal(await page.locator("#review-name").innerText(), "劳务派遣合同");
    assert.equal(await page.locator("#review-signers li").count(), 2);
    await page.click("#start-task");
    await page.locator("#stage-files .field-error").waitFor();
    assert.match(await page.locator("#stage-files .field-error").innerText(), /截止|deadline/i);
    await page.fill("#deadline", "");
    await page.click("#to-signers");
    await page.click("#to-review");

    // Start, with the upload throttled so that the bars can be seen moving.
    const cdp = await browser.context.newCDPSession(page);
    await cdp.send("Network.enable");
    await cdp.send("Network.emulateNetworkConditions", {
      offline: false, latency: 20, downloadThroughput: -1, uploadThroughput: 64 * 1024,
    });
    const seen = new Set();
    const watch = (async () => {
      for (let i = 0; i < 400; i++) {
        const shares = await page.locator("#review-files progress").evaluateAll(
          (els) => els.map((e) => e.getAttribute("data-share")),
        ).catch(() => []);
        for (const s of shares) seen.add(s);
        if (shares.some((s) => s > 0 && s < 1) && !seen.has("shot")) {
          seen.add("shot");
          await page.screenshot({ path: `${SHOTS}/initiate-progress-zh.png` });
        }
        if (!page.url().includes("/initiate")) break;
        await page.waitForTimeout(50);
      }
    })();
    await page.click("#start-task");
    await page.waitForURL(/\/\?list=initiated/, { timeout: 60_000 });
    await watch;
    await cdp.send("Network.emulateNetworkConditions", {
      offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1,
    });
    const partial = [...seen].filter((s) => s !== "shot" && s > 0 && s < 1);
    assert.ok(partial.length >= 2, `progress went through steps: ${[...seen]}`);
    const row = page.locator("tbody.task >> nth=0");
    await row.waitFor();
    assert.match(await row.innerText(), /劳务派遣合同/);
    assert.match(await row.locator(".files").innerText(), /劳务派遣合同、补充协议/);
    await page.screenshot({ path: `${SHOTS}/initiate-started-zh.png` });

    // English on the wizard.
    await page.goto(`${server.base}/initiate`);
    await page.click("#lang-switch");
    await page.locator("text=Choose the files to seal").waitFor();
    await page.screenshot({ path: `${SHOTS}/initiate-files-en.png` });
    await page.click("#lang-switch");
    await logOut(page);

    // The member's 待签署: the badge and the row with both files.
    await logIn(page, server.base, "demouser");
    assert.equal(await page.locator("#to-sign-count").innerText(), "1");
    const mine = page.locator("tbody.task >> nth=0");
    assert.match(await mine.innerText(), /劳务派遣合同/);
    assert.match(await mine.locator(".files").innerText(), /劳务派遣合同、补充协议/);
    assert.equal(await mine.locator(".op-sign").count(), 1);
    await logOut(page);

    // Both sign (over the API: the signing canvas is the next piece), the task completes, and
    // the initiator finds each document's verification code and the evidence report in 详情.
    const member = await token(server.base, "demouser");
    const admin = await token(server.base, "demoadmin");
    const cert = await api(server.base, "/api/v1/certificates", {
      token: member, body: { kind: "personal", algorithm: "p256", pin: "135790" },
    });
    await api(server.base, "/api/v1/seals/generate", { token: member, body: {} });
    const list = await api(server.base, "/api/v1/tasks?list=initiated", { token: admin, method: "GET" });
    const taskId = list.items[0].id;
    for (const [who, pin] of [[member, "135790"], [admin, "246810"]]) {
      const task = await api(server.base, `/api/v1/tasks/${taskId}`, { token: who, method: "GET" });
      const step = task.steps.find((st) => st.state === "active" && task.operations.includes("sign")
        && (who === member ? st.signer_name === "李四" : st.signer_name === "张三"));
      const opts = await api(server.base, `/api/v1/tasks/${taskId}/steps/${step.id}/options`, { token: who, method: "GET" });
      const option = opts.items.find((o) => o.seals.length > 0 && (who !== member || o.certificate_id === cert.id));
      await api(server.base, `/api/v1/tasks/${taskId}/steps/${step.id}/sign`, {
        token: who,
        body: {
          version: task.version,
          placements: task.documents.map((d) => ({ document_id: d.id, certificate_id: option.certificate_id,
            seal_id: option.seals[0].id, kind: "seal", page: 1, rect: [who === member ? 100 : 300, 80, 120, 120] })),
          pins: { [option.certificate_id]: pin },
        },
      });
    }
    await logIn(page, server.base, "demoadmin");
    await page.click("#tab-initiated");
    const done = page.locator("tbody.task >> nth=0");
    await done.locator(".op-download").waitFor();
    await done.locator(".op-details").click();
    const codes = done.locator("a.verification-code");
    await codes.first().waitFor();
    assert.equal(await codes.count(), 2);
    assert.match(await codes.first().innerText(), /^[A-Z0-9]{4}(-[A-Z0-9]{4}){3}$/);
    const download = page.waitForEvent("download");
    await done.locator(".op-evidence").click();
    const report = await download;
    assert.match(report.suggestedFilename(), /^证据报告-劳务派遣合同\.pdf$/);
    const bytes = readFileSync(await report.path());
    assert.equal(bytes.subarray(0, 5).toString(), "%PDF-");
    await page.screenshot({ path: `${SHOTS}/initiate-completed-zh.png` });

    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await server.stop();
  }
});
