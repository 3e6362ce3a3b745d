// Browser test of OHIF v3 against pacslite: Debian's Chromium driven by
// playwright-core, as a radiologist would use the viewer. Started by
// `go test ./conformance -run TestOHIF`, which starts the archive (studies
// stored), serves OHIF (OHIF_URL) and sets the environment:
//   OHIF_URL, DICOMWEB_URL  the viewer and the archive's DICOMweb root
//   TOKEN                   the API token OHIF must send (may be empty)
//   STUDIES                 JSON [{uid, name, id, scroll}]: what the list shows
//   SCREENSHOTS, CHROMIUM   where screenshots go; the browser
// Checks: the study list shows every study; each study opens from the list
// with an image drawn (the viewport canvas is not blank); the mouse wheel
// changes the slice of a multi-frame series; no request to the archive
// failed, and every one carried the token.
import { chromium } from 'playwright-core';
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const OHIF = process.env.OHIF_URL;
const ROOT = process.env.DICOMWEB_URL;
const TOKEN = process.env.TOKEN || '';
const STUDIES = JSON.parse(process.env.STUDIES);
const SHOTS = process.env.SCREENSHOTS;
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

let failed = 0;
let page; // the page steps run in
async function step(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    console.log(`ok   ${name} (${Date.now() - t0} ms)`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name} (${Date.now() - t0} ms): ${e.stack || e}`);
    // What the browser showed, outside the committed screenshots.
    const file = path.join(os.tmpdir(), `ohif-failure-${failed}.png`);
    if (await page?.screenshot({ path: file }).then(() => true, () => false)) console.log(`     screenshot: ${file}`);
  }
}
function check(cond, msg) {
  if (!cond) throw new Error(msg);
}
async function shot(page, name) {
  await page.screenshot({ path: path.join(SHOTS, `ohif-${name}.png`), animations: 'disabled' });
}

// What the page asked of the archive. Requests the page itself cancels
// when the test navigates away (net::ERR_ABORTED during a load or Back) are not
// failures of the archive: they are counted apart.
const archive = { requests: 0, bad: [], failed: [], unauthenticated: [], cancelled: 0 };
let navigating = false;
async function navigate(page, url) {
  navigating = true;
  try {
    await page.goto(url);
  } finally {
    navigating = false;
  }
}
function watch(page) {
  page.on('request', req => {
    if (!req.url().startsWith(ROOT)) return;
    archive.requests++;
    if (TOKEN && req.headers()['authorization'] !== `Bearer ${TOKEN}`) {
      archive.unauthenticated.push(`${req.method()} ${req.url()}`);
    }
  });
  page.on('response', res => {
    if (res.url().startsWith(ROOT) && res.status() >= 400) {
      archive.bad.push(`${res.status()} ${res.request().method()} ${res.url()}`);
    }
  });
  page.on('requestfailed', req => {
    if (!req.url().startsWith(ROOT)) return;
    const why = req.failure()?.errorText || '';
    if (navigating && why.includes('ERR_ABORTED')) {
      archive.cancelled++;
      return;
    }
    archive.failed.push(`${req.method()} ${req.url()}: ${why}`);
  });
  page.on('console', m => {
    if (m.type() === 'error') console.log(`     console error: ${m.text().slice(0, 300)}`);
  });
}

// OHIF's first-visit banner and viewer tour cover the image: close them.
async function dismiss(page) {
  for (const name of ['Confirm and hide', 'Skip all']) {
    const b = page.getByRole('button', { name }).or(page.getByText(name, { exact: true })).first();
    if (await b.isVisible().catch(() => false)) await b.click().catch(() => {});
  }
}

// canvas reads the viewport canvas: how many pixels are lit, and a hash of
// its content.
async function canvas(page) {
  return page.evaluate(() => {
    const c = document.querySelector('canvas.cornerstone-canvas');
    if (!c || !c.width || !c.height) return null;
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let lit = 0;
    let hash = 0;
    for (let i = 0; i < d.length; i += 4) {
      if (d[i] + d[i + 1] + d[i + 2] > 48) lit++;
      hash = (Math.imul(hash, 31) + d[i] + 7 * d[i + 1] + 13 * d[i + 2]) >>> 0;
    }
    return { lit, total: d.length / 4, hash };
  });
}

// imageDrawn waits until at least 2% of the viewport is lit.
async function imageDrawn(page, what) {
  let last = null;
  for (const end = Date.now() + 30000; Date.now() < end; ) {
    last = await canvas(page);
    if (last && last.lit / last.total > 0.02) return last;
    await page.waitForTimeout(250);
  }
  throw new Error(`${what}: no image drawn in 30 s (canvas ${JSON.stringify(last)})`);
}

async function settle(page) {
  await page.waitForLoadState('networkidle', { timeout: 30000 }).catch(() => {});
}

await mkdir(SHOTS, { recursive: true });
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--enable-unsafe-swiftshader'],
});
const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
page = await context.newPage();
watch(page);

// showList loads OHIF on its study list and waits for every study. OHIF
// 3.12 now and then dies while starting, whatever the server (an uncaught
// "__filename is not defined" in its bundled onnxruntime): one reload is
// allowed, and reported.
async function showList() {
  for (let attempt = 1; ; attempt++) {
    await navigate(page, `${OHIF}/`);
    try {
      for (const s of STUDIES) {
        await page.getByText(s.name, { exact: true }).first().waitFor({ timeout: 30000 });
        await page.getByText(s.id, { exact: true }).first().waitFor({ timeout: 5000 });
      }
      return;
    } catch (e) {
      if (attempt === 2) throw e;
      console.log(`     OHIF did not show the list (${String(e.message).split('\n')[0]}): reloading once`);
    }
  }
}

// openFromList opens a study as a person does: its row in the list, then
// Basic Viewer; the viewer must draw an image.
async function openFromList(s) {
  const row = page.locator(`tr[data-cy="studyRow-${s.uid}"]`);
  await row.getByText(s.name, { exact: true }).click();
  await row.getByRole('button', { name: 'Basic Viewer' }).click();
  await page.waitForURL(u => u.pathname === '/viewer' && u.searchParams.get('StudyInstanceUIDs') === s.uid, { timeout: 30000 });
  await imageDrawn(page, s.name);
  await settle(page);
  await dismiss(page);
  return imageDrawn(page, s.name);
}

await step('study list shows every study', async () => {
  await showList();
  await settle(page);
  await dismiss(page);
  await shot(page, 'study-list');
});

// The multi-frame study first, then the others, each from the list (the
// browser's Back button returns to it).
const order = [...STUDIES.filter(s => s.scroll), ...STUDIES.filter(s => !s.scroll)];
for (const [i, s] of order.entries()) {
  await step(`open ${s.name} from the list: image drawn${s.scroll ? ', wheel scrolls' : ''}`, async () => {
    if (i > 0) {
      navigating = true;
      await page.goBack().finally(() => { navigating = false; });
    }
    const before = await openFromList(s);
    await shot(page, s.scroll ? 'viewer-first-slice' : `viewer-${s.shot}`);
    if (!s.scroll) return;
    await page.locator('canvas.cornerstone-canvas').first().hover();
    await page.mouse.wheel(0, 120);
    let after = before;
    for (const end = Date.now() + 15000; Date.now() < end && after.hash === before.hash; ) {
      await page.waitForTimeout(250);
      after = await imageDrawn(page, `${s.name} after scrolling`);
    }
    check(after.hash !== before.hash, 'the mouse wheel did not change the displayed slice');
    await settle(page);
    await shot(page, 'viewer-scrolled');
  });
}

await step('every archive request succeeded and carried the token', async () => {
  await settle(page);
  check(archive.requests > 0, 'OHIF sent no request to the archive');
  check(archive.bad.length === 0, `failed responses:\n  ${archive.bad.join('\n  ')}`);
  check(archive.failed.length === 0, `failed requests:\n  ${archive.failed.join('\n  ')}`);
  check(archive.unauthenticated.length === 0, `requests without the token:\n  ${archive.unauthenticated.join('\n  ')}`);
  console.log(`     ${archive.requests} requests to ${ROOT} (${archive.cancelled} cancelled by navigation)`);
});

await browser.close();
if (failed) {
  console.log(`${failed} step(s) failed`);
  process.exit(1);
}
