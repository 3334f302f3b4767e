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
