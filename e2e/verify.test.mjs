// Public verification in the panel, without logging in: a completed task's verification
// code (the page the evidence report's QR code leads to) shows the document, its signer and
// the verdict; an unknown code says so; an uploaded PDF is checked and nothing is kept.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { startServer, launchBrowser, skipReason } from "./harness.mjs";

const corpus = (name) =>
  fileURLToPath(new URL(`../../shared/corpus/pdf/${name}`, import.meta.url));

async function call(base, method, path, token, body, headers = {}) {
  const r = await fetch(`${base}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...headers },
    body,
  });
  const text = await r.text();
  assert.ok(r.ok, `${method} ${path}: ${r.status} ${text}`);
  return JSON.parse(text);
}

// demoadmin (张三) signs a task of his own with the demo company's P-256 certificate and its
// company seal; returns the completed task.
async function completedTask(base) {
  const login = await fetch(`${base}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ login: "demoadmin", password: "Signet-demo-2026" }),
  }).then((r) => r.json());
  const token = login.access_token;
  const form = new FormData();
  form.append(
    "request",
    JSON.stringify({
      name: "采购合同",
      documents: [{ part: "doc1", name: "采购合同" }],
      steps: [{ myself: true, order: 1 }],
      start: true,
    }),
  );
  form.append(
    "doc1",
    new Blob([readFileSync(corpus("reportlab-three-pages.pdf"))], { type: "application/pdf" }),
    "contract.pdf",
  );
  const task = await call(base, "POST", "/api/v1/tasks", token, form);
  const step = task.steps[0].id;
  const opts = await call(base, "GET", `/api/v1/tasks/${task.id}/steps/${step}/options`, token);
  const pair = opts.items.find((o) => o.seals.length > 0);
  const body = {
    placements: [
      {
        document_id: task.documents[0].id,
        certificate_id: pair.certificate_id,
        seal_id: pair.seals[0].id,
        kind: "seal",
        page: 1,
        rect: [360, 60, 120, 120],
      },
    ],
    pins: { [pair.certificate_id]: "246810" },
  };
  return call(base, "POST", `/api/v1/tasks/${task.id}/steps/${step}/sign`, token,
    JSON.stringify(body), { "content-type": "application/json" });
}

test("verify a code and a file without logging in", async (t) => {
  const reason = skipReason();
  if (reason) return t.skip(reason);
  const server = await startServer();
  const browser = await launchBrowser();
  try {
    const done = await completedTask(server.base);
    assert.equal(done.state, "completed");
    const code = done.documents[0].verification_code;
    assert.match(code, /^[A-Z2-7]{4}(-[A-Z2-7]{4}){3}$/);

    const page = await browser.context.newPage();
    const pageErrors = [];
    page.on("pageerror", (e) => pageErrors.push(e.message));
    page.on("console", (m) => m.type() === "error" && !m.text().includes("status of 4") && pageErrors.push(m.text()));

    // The QR code's page.
    await page.goto(`${server.base}/verify/${code}`);
    const result = page.locator("#verify-result");
    await result.waitFor();
    assert.equal(await result.getAttribute("data-verdict"), "valid");
    assert.equal(await page.locator("#verify-document").textContent(), "采购合同");
    assert.match(await page.locator("#verify-signers").textContent(), /张三（示例科技有限公司）/);
    await page.getByRole("heading", { name: "签名有效" }).waitFor();

    // Typed on the verification page, in lower case: the same result.
    await page.goto(`${server.base}/verify`);
    await page.fill("#verify-code", code.toLowerCase());
    await page.click("#verify-lookup");
    await page.locator("#verify-result").waitFor();
    assert.equal(await page.locator("#verify-document").textContent(), "采购合同");

    // An unknown code.
    await page.goto(`${server.base}/verify/AAAA-BBBB-CCCC-DDDD`);
    await page.locator("#verify-error").waitFor();
    assert.match(await page.locator("#verify-error").textContent(), /验证码不存在/);

    // Upload: a file with no signatures, then the signed contract (the initiator's download).
    await page.goto(`${server.base}/verify`);
    await page.setInputFiles("#verify-file", corpus("reportlab-three-pages.pdf"));
    await page.locator("#verify-report").waitFor();
    assert.equal(await page.locator("#verify-report").getAttribute("data-verdict"), "unsigned");
    await page.getByRole("heading", { name: "文件未签名" }).waitFor();

    // In English.
    await page.click("#lang-switch");
    await page.getByRole("heading", { name: "Verify a signed document" }).waitFor();
    assert.deepEqual(pageErrors, []);
  } finally {
    await browser.close();
    await server.stop();
  }
});
