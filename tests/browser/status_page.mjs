// ferry's status page in Debian's headless Chromium, against a real ferryd
// started by browser_test.cpp: FERRY_URL, FERRY_TOKEN, FERRY_JOB and
// FERRY_SCREENSHOT come from it. Exits non-zero on the first failed check.
import { chromium } from "playwright-core";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const { FERRY_URL: url, FERRY_TOKEN: token, FERRY_JOB: job, FERRY_SCREENSHOT: screenshot } = process.env;
if (!url || !token || !job || !screenshot) throw new Error("FERRY_URL, FERRY_TOKEN, FERRY_JOB, FERRY_SCREENSHOT must be set");

function check(ok, what) {
  if (!ok) throw new Error("check failed: " + what);
  console.log("ok - " + what);
}

async function apiJob() {
  const res = await fetch(url + "/api/v1/jobs/" + job, { headers: { Authorization: "Bearer " + token } });
  return res.json();
}

const profile = mkdtempSync(join(tmpdir(), "ferry-chromium-"));
// A fresh profile (--user-data-dir) each run; Playwright takes it as the
// persistent context's folder rather than as an argument.
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: "/usr/bin/chromium",
  headless: true,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  viewport: { width: 1000, height: 700 },
  timeout: 60000,
});
try {
  const page = await browser.newPage();
  const problems = [];
  page.on("console", (m) => { if (m.type() === "error") problems.push("console: " + m.text()); });
  page.on("pageerror", (e) => problems.push("page error: " + e.message));
  const external = [];
  page.on("request", (r) => { if (!r.url().startsWith(url) && !r.url().startsWith("data:")) external.push(r.url()); });

  const response = await page.goto(url + "/");
  check(response.status() === 200, "GET / answers 200");
  check((response.headers()["content-security-policy"] || "").includes("default-src 'none'"), "the page has its CSP");
  await page.locator("#login").waitFor({ state: "visible" });
  check(await page.locator(".job").count() === 0, "no jobs are shown before the token");

  // A wrong token is refused and the form asks again.
  await page.fill("#token", "not-the-token");
  await page.click("#login button[type=submit]");
  await page.locator("#error", { hasText: "token was refused" }).waitFor();
  check(await page.locator("#login").isVisible() && await page.locator(".job").count() === 0,
        "a wrong token brings the form back with an error");
  problems.length = 0;  // the refused fetch is logged by Chromium as a 401 resource error

  await page.fill("#token", token);
  await page.click("#login button[type=submit]");
  const card = page.locator(`.job[data-job="${job}"]`);
  await card.waitFor();
  check(await card.locator("h2").innerText() === job, "the job is listed");
  check(!(await page.locator("#login").isVisible()), "the token form is gone once the token is taken");
  check((await card.innerText()).includes("watermark"), "the job shows its watermark");
  check(await page.evaluate(() => sessionStorage.getItem("ferry.token")) !== null, "the token is kept in sessionStorage");

  const before = await apiJob();
  check(before.paused === false, "the job starts unpaused");
  await card.locator("button.pause", { hasText: "Pause" }).click();
  await card.locator("button.pause", { hasText: "Resume" }).waitFor({ timeout: 10000 });
  await card.locator("dd", { hasText: /^yes$/ }).waitFor();
  check((await apiJob()).paused === true, "the click paused the job in ferryd");

  // The page refreshes itself: a change made elsewhere shows without a reload.
  await fetch(url + "/api/v1/jobs/" + job, { method: "PATCH", body: JSON.stringify({ paused: false }),
    headers: { Authorization: "Bearer " + token, "Content-Type": "application/json" } });
  await card.locator("button.pause", { hasText: "Pause" }).waitFor({ timeout: 15000 });
  check(true, "the page picked up a resume made through the API");
  await card.locator("button.pause", { hasText: "Pause" }).click();
  await card.locator("button.pause", { hasText: "Resume" }).waitFor({ timeout: 10000 });
  check((await apiJob()).paused === true, "paused again from the page");

  await page.screenshot({ path: screenshot, fullPage: true });
  const phone = await browser.newPage();
  await phone.setViewportSize({ width: 375, height: 740 });
  await phone.goto(url + "/");
  await phone.fill("#token", token);
  await phone.click("#login button[type=submit]");
  await phone.locator(`.job[data-job="${job}"]`).waitFor();
  const overflow = await phone.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  check(!overflow, "the page fits a phone's width");

  check(external.length === 0, "no request left ferryd: " + external.join(", "));
  check(problems.length === 0, "no console errors: " + problems.join("; "));
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
}
