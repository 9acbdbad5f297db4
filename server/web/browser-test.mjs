// The web map in a real browser: headless Chromium (Debian `chromium`)
// driven by playwright-core opens the map served by `reach serve`, waits for
// the layers, checks that features are drawn, clicks the map, sees a
// nearest-facility answer, and saves a screenshot.
// Usage: node browser-test.mjs BASE_URL SCREENSHOT.png
import { chromium } from 'playwright-core';

const [base, screenshot] = process.argv.slice(2);
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
const fail = (message) => { console.error(`web map test failed: ${message}`); process.exit(1); };

const browser = await chromium.launch({
  executablePath,
  args: ['--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
  const problems = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => { if (message.type() === 'error') problems.push(`console: ${message.text()}`); });
  await page.goto(`${base}/?minutes=2,4`);
  await page.waitForFunction(() => window.reachReady === true, null, { timeout: 30000 })
    .catch(() => fail(`the map never became ready; ${problems.join('; ') || 'no page errors'}`));
  const drawn = await page.evaluate(() => {
    const map = window.reachMap;
    const count = (layers) => map.queryRenderedFeatures({ layers }).length;
    return { stations: count(['stations']), circles: count(['circle-outer', 'circle-inner']), gaps: count(['gaps']),
      roads: count(['roads']), verdict: document.querySelectorAll('#verdict tr').length,
      gapList: document.querySelectorAll('#gaps li').length };
  });
  console.log(`drawn: ${JSON.stringify(drawn)}`);
  for (const [what, count] of Object.entries(drawn)) {
    if (count === 0) fail(`no ${what} drawn (${JSON.stringify(drawn)}); ${problems.join('; ')}`);
  }
  const box = await page.locator('#map canvas').boundingBox();
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  await page.waitForFunction(() => window.reachLastNearest !== undefined, null, { timeout: 10000 })
    .catch(() => fail('no nearest-facility answer after a click'));
  const answer = await page.evaluate(() => window.reachLastNearest);
  if (answer.error || answer.features.length !== 1) fail(`nearest answer: ${JSON.stringify(answer).slice(0, 300)}`);
  const text = await page.locator('#nearest').textContent();
  console.log(`nearest: ${text}`);
  if (!/min/.test(text)) fail(`the panel does not show the answer: ${text}`);
  await page.waitForTimeout(300);
  await page.screenshot({ path: screenshot });
  if (problems.length > 0) fail(problems.join('; '));
  console.log(`screenshot: ${screenshot}`);
} finally {
  await browser.close();
}
