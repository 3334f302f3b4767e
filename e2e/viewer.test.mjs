// The document viewer (查看) in Chromium: a 402-page contract opens with its first page, and
// only the pages in view are requested (at most 4 before scrolling); a thumbnail jumps to a
// page far down, which is then fetched; zoom; the signatures already in the document are
// listed with their verdict (none before signing). Prints the time to the first page.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openPage, startServer, launchBrowser, skipReason } from "./harness.mjs";

const CORPUS = join(import.meta.dirname, "../../shared/corpus/pdf/reportlab-three-pages.pdf");
const SHOTS = `${import.meta.dirname}/test-results`;

async function api(base, path, token, init = {}) {
  const r = await fetch(`${base}${path}`, {
    ...init,
    headers: { ...(init.headers || {}), ...(token ? { Authorization: `Bearer ${token}` } : {}) },
  });
  return r;
}

test("the document viewer", async (t) => {
  const reason = skipReason();
  if (reason) return t.skip(reason);
  const dir = mkdtempSync(join(tmpdir(), "signet-viewer-"));
  const long = join(dir, "long.pdf");
  execFileSync("qpdf", ["--empty", "--pages", ...Array(134).fill(CORPUS), "--", long]);
  const server = await startServer();
  const browser = await launchBrowser();
  try {
    const r = await api(server.base, "/api/v1/auth/login", null, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ login: "demoadmin", password: "Signet-demo-2026" }),
    });
    const token = (await r.json()).access_token;
    const form = new FormData();
    form.append("request", JSON.stringify({
      name: "长篇合同",
      documents: [{ part: "doc1", name: "长篇合同正文" }, { part: "doc2", name: "附件" }],
      steps: [{ myself: true, order: 1 }],
      start: true,
    }));
    form.append("doc1", new Blob([readFileSync(long)], { type: "application/pdf" }), "long.pdf");
    form.append("doc2", new Blob([readFileSync(CORPUS)], { type: "application/pdf" }), "short.pdf");
    const created = await api(server.base, "/api/v1/tasks", token, { method: "POST", body: form });
    assert.equal(created.status, 201, await created.clone().text());
    const task = await created.json();

    const { page, errors } = await openPage(browser);
    const images = [];
    page.on("request", (req) => {
      const m = req.url().match(/\/pages\/(\d+)\?width=/);
      if (m) images.push(Number(m[1]));
    });

    await page.goto(`${server.base}/login`);
    await page.fill("#login", "demoadmin");
    await page.fill("#password", "Signet-demo-2026");
    await page.click("#login-submit");
    await page.waitForURL(`${server.base}/`);

    const started = Date.now();
    await page.goto(`${server.base}/tasks/${task.id}`);
    await page.locator("#page-1 img").waitFor();
    const firstPage = Date.now() - started;
    console.log(`viewer: first page of a 402-page document shown in ${firstPage} ms`);
    assert.equal(await page.locator(".pages .page").count(), 402);
    assert.equal(await page.locator("#viewer-title").innerText(), "长篇合同");
    await page.locator("#no-signatures").waitFor();
    await page.waitForTimeout(500);
    const before = [...new Set(images)];
    assert.ok(before.length >= 1 && before.length <= 4, `pages requested before scrolling: ${before}`);
    assert.ok(before.includes(1));
    await page.screenshot({ path: `${SHOTS}/viewer-zh.png` }).catch(() => {});

    // A thumbnail far down: that page is fetched and shown.
    await page.locator('[data-thumb="300"]').scrollIntoViewIfNeeded();
    await page.locator('[data-thumb="300"]').click();
    await page.locator("#page-300 img").waitFor();
    assert.ok(images.includes(300));
    assert.ok(new Set(images).size < 20, `only pages looked at: ${[...new Set(images)].length}`);

    // Zoom.
    await page.click("#zoom-in");
    assert.equal(await page.locator("#zoom-level").innerText(), "125 %");
    await page.click("#zoom-fit");
    assert.equal(await page.locator("#zoom-level").innerText(), "100 %");

    // Sign the short document's step, then its signature is listed, valid.
    const step = task.steps[0].id;
    const doc2 = task.documents.find((d) => d.name === "附件").id;
    const opts = await (await api(server.base, `/api/v1/tasks/${task.id}/steps/${step}/options`, token)).json();
    // The organisation's certificate offered with its company seal (公章).
    const option = opts.items.find((o) => o.seals.length > 0);
    assert.ok(option, JSON.stringify(opts));
    const seal = option.seals[0].id;
    const signed = await api(server.base, `/api/v1/tasks/${task.id}/steps/${step}/sign`, token, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        version: task.version,
        placements: [{ document_id: doc2, certificate_id: option.certificate_id, seal_id: seal,
          kind: "seal", page: 1, rect: [400, 80, 120, 120] }],
        pins: { [option.certificate_id]: "246810" },
      }),
    });
    assert.equal(signed.status, 200, await signed.clone().text());
    await page.goto(`${server.base}/tasks/${task.id}?doc=${doc2}`);
    await page.locator("li.signature").first().waitFor();
    assert.equal(await page.locator("li.signature").first().getAttribute("data-verdict"), "valid");
    assert.match(await page.locator("li.signature .signer").first().innerText(), /示例科技有限公司/);
    await page.locator("#page-1 img").waitFor();
    await page.screenshot({ path: `${SHOTS}/viewer-signed-zh.png` }).catch(() => {});
    assert.deepEqual(errors, [], "no errors in the console");
  } finally {
    await browser.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
