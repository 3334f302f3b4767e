// 数字证书登录 in Chromium with a key file: no signing agent answers, so the panel offers a
// key file; an SM2 key is refused with the reason (the browser cannot sign SM2), and a PKCS#8
// P-256 key with its Signet certificate (issued from a CSR, the key never sent) logs in —
// signed by the browser's WebCrypto, the file never uploaded.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openPage, startServer, launchBrowser, skipReason, api } from "./harness.mjs";

const SHOTS = `${import.meta.dirname}/test-results`;

test("certificate login with a key file", async (t) => {
  const reason = skipReason();
  if (reason) return t.skip(reason);
  const dir = mkdtempSync(join(tmpdir(), "signet-certlogin-"));
  const server = await startServer();
  const browser = await launchBrowser();
  try {
    const key = join(dir, "key.pem");
    execFileSync("openssl", ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key]);
    const csr = execFileSync("openssl", ["req", "-new", "-key", key, "-subj", "/CN=李四", "-utf8"]).toString();
    const token = (await api(server.base, "/api/v1/auth/login", {
      body: { login: "demouser", password: "Signet-demo-2026" },
    })).access_token;
    const cert = await api(server.base, "/api/v1/certificates/csr", {
      token, body: { kind: "personal", csr },
    });
    const both = join(dir, "lisi.pem");
    writeFileSync(both, readFileSync(key, "utf8") + cert.certificate_pem);
    const sm2 = join(dir, "sm2.pem");
    execFileSync("openssl", ["genpkey", "-algorithm", "SM2", "-out", sm2]);
    writeFileSync(sm2, readFileSync(sm2, "utf8") + cert.certificate_pem);

    // The panel asks the agent's address first; nothing listens there in this test.
    const { page, errors } = await openPage(browser, /ERR_CONNECTION_REFUSED|127\.0\.0\.1:9321/);
    await page.goto(`${server.base}/login`);
    await page.click("#tab-cert");
    await page.locator("#agent-missing").waitFor();
    await page.setInputFiles("#key-file", sm2);
    await page.getByRole("alert").getByText("SM2").waitFor();
    await page.setInputFiles("#key-file", both);
    await page.locator("#key-file-ready").waitFor();
    await page.screenshot({ path: `${SHOTS}/login-cert-zh.png` });
    await page.click("#cert-login-submit");
    await page.locator("#welcome", { hasText: "李四" }).waitFor();
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
