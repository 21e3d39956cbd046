// Opens a page in headless Chromium (the installed one: playwright-core downloads no browser)
// and checks what it shows in #result once that has a data-status: fails unless the status is
// "ok" and the text is the expected one.
//
// Usage: node browser.mjs <url> <expected text>   (CHROMIUM=path, default /usr/bin/chromium)
import { chromium } from "playwright-core";

const [url, expected] = process.argv.slice(2);
if (url === undefined || expected === undefined) {
  throw new Error("usage: node browser.mjs <url> <expected text>");
}
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  // No sandbox: CI runs as root, where Chromium's sandbox refuses to start.
  args: ["--no-sandbox"],
});
try {
  const page = await browser.newPage();
  const problems = [];
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") {
      problems.push(`console error: ${message.text()}`);
    }
  });
  await page.goto(url);
  const result = page.locator("#result[data-status]");
  await result.waitFor({ timeout: 30000 });
  const status = await result.getAttribute("data-status");
  const text = await result.textContent();
  if (status !== "ok" || text !== expected) {
    throw new Error(
      `the page shows ${JSON.stringify(text)} (${status}), not ${JSON.stringify(expected)}\n${problems.join("\n")}`,
    );
  }
  console.log(`browser ok: ${JSON.stringify(text)}`);
} finally {
  await browser.close();
}
