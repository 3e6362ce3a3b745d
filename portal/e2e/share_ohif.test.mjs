// Browser test of "Open in OHIF" from a share: Debian's Chromium driven by
// playwright-core. The owner shares a study with a password; a recipient
// without an account opens the link in a fresh browser, gives the
// password and clicks "Open in OHIF". OHIF (served on the site's own
// origin, BASE_URL) must draw the study through the share's DICOMweb root
// and reach nothing else: every DICOMweb request it made is under
// /s/<token>/dicomweb, a QIDO there lists exactly the shared study, and
// another study of the same owner (OTHER_STUDY) is 404 there.
// Started by `go test ./cmd/pacslite -run TestShareOHIFBrowser`, which
// starts the server, OHIF and the proxy in front of both.
import { chromium } from 'playwright-core';
import { step, check, submit, run } from './steps.mjs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';

const BASE = process.env.BASE_URL;
const PATIENT = { email: process.env.PATIENT_EMAIL, password: process.env.PATIENT_PASSWORD };
const STUDY = process.env.STUDY;
const OTHER = process.env.OTHER_STUDY;
const SHOTS = process.env.SCREENSHOTS;
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';


// lit reads OHIF's viewport canvas: how many pixels are not black.
async function lit(page) {
  return page.evaluate(() => {
    const c = document.querySelector('canvas.cornerstone-canvas');
    if (!c || !c.width || !c.height) return null;
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] + d[i + 1] + d[i + 2] > 48) n++;
    return { lit: n, total: d.length / 4 };
  });
}

async function main() {
  await mkdir(SHOTS, { recursive: true });
  const browser = await chromium.launch({
    executablePath: CHROMIUM, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage', '--enable-unsafe-swiftshader'],
  });
  const desktop = { viewport: { width: 1400, height: 900 } };
  let link;

  await step('owner creates a share with a password', async () => {
    const owner = await (await browser.newContext(desktop)).newPage();
    await owner.goto(`${BASE}/login`);
    await owner.fill('input[name=login]', PATIENT.email);
    await owner.fill('input[name=password]', PATIENT.password);
    await submit(owner, 'form[action="/login"] button[type=submit]');
    await owner.goto(`${BASE}/studies/${STUDY}/share`);
    await owner.fill('input[name=label]', 'Dr Rao');
    await owner.fill('input[name=password]', 'rao-1234');
    await submit(owner, 'form[action$="/shares"] button[type=submit]');
    link = (await owner.textContent('#share-link')).trim();
    check(link.startsWith(`${BASE}/s/`), `link ${link}`);
    await owner.context().close();
  });

  // Everything the recipient's browser asks under any DICOMweb root, from
  // every page of the context (OHIF opens in a new tab).
  const recipient = await browser.newContext(desktop);
  const seen = { dicomweb: [], bad: [], failed: [] };
  recipient.on('request', (req) => { if (req.url().includes('/dicomweb')) seen.dicomweb.push(req.url()); });
  recipient.on('response', (res) => { if (res.url().includes('/dicomweb') && res.status() >= 400) seen.bad.push(`${res.status()} ${res.url()}`); });
  recipient.on('requestfailed', (req) => {
    if (req.url().includes('/dicomweb') && !/ERR_ABORTED/.test(req.failure()?.errorText || '')) seen.failed.push(`${req.url()}: ${req.failure()?.errorText}`);
  });
  const doc = await recipient.newPage();
  const root = () => `${link}/dicomweb`;
  let viewer;

  await step('recipient gives the password and clicks Open in OHIF: the shared study is drawn', async () => {
    const res = await doc.goto(link);
    check(res.status() === 401, `locked share answered ${res.status()}`);
    await doc.fill('input[name=password]', 'rao-1234');
    await submit(doc, 'form button[type=submit]');
    const open = doc.locator('a:has-text("Open in OHIF")');
    check(await open.count() === 1, 'no "Open in OHIF" on the share page');
    const href = await open.getAttribute('href');
    const u = new URL(href);
    check(u.origin === BASE && u.pathname === '/viewer' && u.searchParams.get('StudyInstanceUIDs') === STUDY &&
      u.searchParams.get('dicomweb') === root(), `Open in OHIF links to ${href}`);
    [viewer] = await Promise.all([recipient.waitForEvent('page'), open.click()]);
    viewer.on('console', (m) => { if (m.type() === 'error') console.log(`     console error: ${m.text().slice(0, 300)}`); });
    let last = null;
    for (const end = Date.now() + 45000; Date.now() < end; ) {
      last = await lit(viewer).catch(() => null);
      if (last && last.lit / last.total > 0.02) break;
      await viewer.waitForTimeout(250);
    }
    check(last && last.lit / last.total > 0.02, `OHIF drew no image in 45 s (canvas ${JSON.stringify(last)})`);
    await viewer.waitForLoadState('networkidle', { timeout: 30000 }).catch(() => {});
    for (const name of ['Confirm and hide', 'Skip all']) {
      const b = viewer.getByRole('button', { name }).or(viewer.getByText(name, { exact: true })).first();
      if (await b.isVisible().catch(() => false)) await b.click().catch(() => {});
    }
    await viewer.screenshot({ path: path.join(SHOTS, 'share-ohif.png'), animations: 'disabled' });
  });

  await step('OHIF asked only the share root, and frames of the shared study', async () => {
    check(seen.dicomweb.length > 0, 'no DICOMweb request');
    const elsewhere = seen.dicomweb.filter((u) => !u.startsWith(`${root()}/`));
    check(elsewhere.length === 0, `requests outside the share root:\n  ${elsewhere.join('\n  ')}`);
    const frames = seen.dicomweb.filter((u) => u.startsWith(`${root()}/studies/${STUDY}/series/`) && u.includes('/frames/'));
    check(frames.length > 0, `no frame requests of the shared study among:\n  ${seen.dicomweb.slice(0, 20).join('\n  ')}`);
    check(seen.bad.length === 0 && seen.failed.length === 0, `failed requests:\n  ${[...seen.bad, ...seen.failed].join('\n  ')}`);
    console.log(`     ${seen.dicomweb.length} requests under the share root, ${frames.length} of frames`);
  });

  await step('the share root reaches that study only, from OHIF\'s page', async () => {
    const got = await viewer.evaluate(async ([r, s, o]) => {
      const q = await fetch(`${r}/studies`, { headers: { Accept: 'application/dicom+json' } });
      const list = await q.json();
      const meta = await fetch(`${r}/studies/${o}/metadata`);
      const series = await fetch(`${r}/studies/${o}/series`);
      const byUID = await fetch(`${r}/studies?StudyInstanceUID=${o}`);
      const archive = await fetch('/dicomweb/studies');
      const stow = await fetch(`${r}/studies`, { method: 'POST', headers: { 'Content-Type': 'multipart/related; type="application/dicom"; boundary=x' }, body: '--x--' });
      return {
        qido: list.map((d) => d['0020000D'].Value[0]), meta: meta.status, series: series.status,
        byUID: byUID.status === 200 ? (await byUID.json()).length : byUID.status, archive: archive.status, stow: stow.status,
      };
    }, [root(), STUDY, OTHER]);
    check(got.qido.length === 1 && got.qido[0] === STUDY, `QIDO through the share root lists ${JSON.stringify(got.qido)}`);
    check(got.meta === 404 || got.meta === 403, `metadata of another study through the share root: ${got.meta}`);
    check(got.series === 404 || got.series === 403, `series of another study through the share root: ${got.series}`);
    check(got.byUID === 0 || got.byUID === 204, `QIDO for another study's UID through the share root: ${got.byUID}`);
    check(got.archive === 401, `the archive's own root without an account: ${got.archive}`);
    check(got.stow === 405, `STOW through the share root: ${got.stow}`);
  });

  await step('without the unlock cookie the share root answers 401', async () => {
    const p = await (await browser.newContext(desktop)).newPage();
    await p.goto(`${BASE}/s`);
    const status = await p.evaluate(async (r) => (await fetch(`${r}/studies`)).status, root());
    check(status === 401, `share root without the password: ${status}`);
    await p.context().close();
  });

  await browser.close();
}

run(main);
