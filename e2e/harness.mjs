// Starts a real `signet serve --demo` on a free port with a fresh data directory, and a
// headless Debian Chromium. Outside CI a missing browser skips the test with a reason; in
// CI it fails.
import { spawn } from "node:child_process";
import { mkdtempSync, existsSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
export const inCI = process.env.CI === "true" || process.env.CI === "1";

export function skipReason() {
  if (existsSync(CHROMIUM)) return null;
  if (inCI) throw new Error(`Chromium is required in CI but ${CHROMIUM} does not exist`);
  return `no Chromium at ${CHROMIUM} (apt-get install chromium)`;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export async function startServer() {
  const bin = process.env.SIGNET_BIN;
  if (!bin || !existsSync(bin)) throw new Error(`SIGNET_BIN (${bin}) is not a built signet binary`);
  const dir = mkdtempSync(join(tmpdir(), "signet-e2e-"));
  const port = await freePort();
  const env = {
    ...process.env,
    SIGNET_HTTP__PORT: String(port),
    SIGNET_DATA_DIR: dir,
    SIGNET_DATABASE__URL: `sqlite://${dir}/signet.db?mode=rwc`,
    SIGNET_PANEL_DIR: process.env.SIGNET_PANEL_DIR,
    SIGNET_LOG__FILTER: "warn",
    SIGNET_SUPPORT_PHONE: "400-830-1234",
  };
  const proc = spawn(bin, ["serve", "--demo"], { env, stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  proc.stdout.on("data", (d) => (log += d));
  proc.stderr.on("data", (d) => (log += d));
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      const r = await fetch(`${base}/readyz`);
      if (r.ok) break;
    } catch {}
    if (proc.exitCode !== null) throw new Error(`signet exited: ${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    base,
    log: () => log,
    async stop() {
      proc.kill("SIGTERM");
      await new Promise((r) => proc.once("exit", r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser() {
  const { chromium } = await import("playwright-core");
  const profile = mkdtempSync(join(tmpdir(), "signet-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/// A JSON call to the API (an access token if given); fails the test on an error answer.
export async function api(base, path, { body, token, method = "POST" } = {}) {
  const headers = { "Content-Type": "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  const r = await fetch(`${base}${path}`, { method, headers, body: body && JSON.stringify(body) });
  const text = await r.text();
  if (!r.ok) throw new Error(`${path}: ${r.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/// A valid ID number: the GB 11643 check digit over the first 17 digits.
export function idNumber(first17) {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...first17].reduce((s, d, i) => s + Number(d) * w[i], 0);
  return first17 + "10X98765432"[sum % 11];
}

/// 王五 (wangwu2026 / Secret-2026, phone 13912340001), registered over the API with the dev
/// captcha and SMS outbox: no grant, no organisation.
export async function registerPlainUser(base) {
  const phone = "13912340001";
  const captcha = await api(base, "/api/v1/captcha", { body: {} });
  const { answer } = await api(base, `/api/v1/dev/captcha/${captcha.captcha_id}`, { method: "GET" });
  await api(base, "/api/v1/sms/send", {
    body: { phone, purpose: "register", captcha_id: captcha.captcha_id, captcha_answer: answer },
  });
  const box = await api(base, `/api/v1/dev/sms-outbox?phone=${phone}`, { method: "GET" });
  const code = box.items[0].text.match(/(\d{6})/)[1];
  const agreements = (await api(base, "/api/v1/agreements", { method: "GET" })).items
    .map((a) => ({ kind: a.kind, version: a.version }));
  await api(base, "/api/v1/auth/register", {
    body: {
      account_name: "wangwu2026", real_name: "王五", id_card_number: idNumber("35010219900307456"),
      password: "Secret-2026", phone, sms_code: code, agreements,
    },
  });
}

/// Logs in through the panel's password form and waits for the home page.
export async function logIn(page, base, account, password = "Signet-demo-2026") {
  await page.goto(`${base}/login`);
  await page.fill("#login", account);
  await page.fill("#password", password);
  await page.click("#login-submit");
  await page.locator("#welcome").waitFor();
}

/// Logs out through the account menu.
export async function logOut(page) {
  await page.click("#account-menu");
  await page.click("#menu-logout");
  await page.waitForURL(/\/login/);
}

async function getJson(url) {
  const r = await fetch(url);
  if (r.status !== 200) throw new Error(`${url}: ${r.status}`);
  return r.json();
}

/// The answer to the captcha the page shows (read through the demo endpoint).
export async function captchaAnswer(page, base) {
  const img = page.locator("#captcha-image");
  await img.waitFor();
  let id = "";
  for (let i = 0; i < 50 && !id; i++) {
    id = (await img.getAttribute("data-captcha-id")) || "";
    if (!id) await page.waitForTimeout(100);
  }
  if (!id) throw new Error("the captcha did not load");
  return (await getJson(`${base}/api/v1/dev/captcha/${id}`)).answer;
}

/// The newest SMS code sent to `phone` (from the demo outbox).
export async function smsCode(base, phone) {
  for (let i = 0; i < 50; i++) {
    const box = await getJson(`${base}/api/v1/dev/sms-outbox?phone=${phone}`);
    const m = box.items[0]?.text.match(/(\d{6})/);
    if (m) return m[1];
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("no SMS code arrived");
}

/// A new page at 1280×800 and the list its errors go to: uncaught exceptions and console
/// errors, except those matching `allowed` (answers a test provokes on purpose, which
/// Chromium logs as errors).
export async function openPage(browser, allowed = null) {
  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 1280, height: 800 });
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => {
    if (m.type() === "error" && !(allowed && allowed.test(m.text()))) errors.push(m.text());
  });
  return { page, errors };
}
