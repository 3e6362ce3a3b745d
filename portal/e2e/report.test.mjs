// Browser test of radiology reporting: Debian's Chromium driven by
// playwright-core against a running server (BASE_URL). A radiologist works
// the worklist, claims the priority study, writes its report (autosave) and
// signs it; the patient sees Reported and the banner, reads the report,
// prints it and downloads the PDF. Screenshots: SCREENSHOTS/report-*.png.
// Started by `go test ./cmd/pacslite -run TestReportBrowser`, which starts
// the server, stores the studies and sets the environment.
import { chromium } from 'playwright-core';
import { step, check, run } from './steps.mjs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import os from 'node:os';

const BASE = process.env.BASE_URL;
const RAD = { email: process.env.RAD_EMAIL, password: process.env.RAD_PASSWORD };
const PATIENT = { email: process.env.PATIENT_EMAIL, password: process.env.PATIENT_PASSWORD };
const ADMIN = { email: process.env.ADMIN_EMAIL, password: process.env.ADMIN_PASSWORD };
const STUDY = process.env.STUDY;
const ORDER = process.env.EXPECTED_ORDER.split(',');
const OVERDUE = process.env.OVERDUE;
const SHOTS = process.env.SCREENSHOTS;
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

async function shot(page, name, fullPage = true) {
  await page.screenshot({ path: path.join(SHOTS, `report-${name}.png`), fullPage, animations: 'disabled' });
}
async function login(page, who) {
  await page.goto(`${BASE}/login`);
  await page.fill('input[name=login]', who.email);
  await page.fill('input[name=password]', who.password);
  await Promise.all([page.waitForNavigation(), page.click('form[action="/login"] button[type=submit]')]);
}
async function imageShown(page, sel) {
  await page.waitForFunction((s) => {
    const el = document.querySelector(s);
    return el && !el.hidden && (el.tagName === 'CANVAS' || (el.complete && el.naturalWidth > 0));
  }, sel, { timeout: 20000 });
}

const REPORT = {
  clinical_history: 'सिर में दर्द, दो सप्ताह से। Headache for two weeks, no trauma.',
  comparison: 'None available.',
  findings: 'No intracranial haemorrhage, mass effect or midline shift.\nVentricles and sulci are normal for age.\nNo acute infarct.',
  impression: 'Normal non-contrast CT of the head.',
  recommendation: 'No imaging follow-up needed; clinical review.',
};

async function main() {
  await mkdir(SHOTS, { recursive: true });
  const browser = await chromium.launch({
    executablePath: CHROMIUM, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  const desktop = { viewport: { width: 1400, height: 900 } };
  const rad = await (await browser.newContext(desktop)).newPage();
  const patientCtx = await browser.newContext({ ...desktop, acceptDownloads: true });
  const patient = await patientCtx.newPage();
  const admin = await (await browser.newContext(desktop)).newPage();
  const errors = [];
  for (const p of [rad, patient, admin]) {
    p.on('dialog', (d) => d.accept());
    p.on('console', (m) => { if (m.type() === 'error' && /Content Security Policy|Uncaught/.test(m.text())) errors.push(m.text()); });
    p.on('pageerror', (e) => errors.push(String(e)));
  }

  await step('radiologist sees the worklist by deadline, priority first, overdue flagged', async () => {
    await login(rad, RAD);
    await rad.click('nav a[href="/worklist"]');
    await rad.waitForURL(/\/worklist$/);
    const order = await rad.$$eval('table.worklist tbody tr', (rows) => rows.map((r) => r.dataset.study));
    check(JSON.stringify(order) === JSON.stringify(ORDER), `worklist order ${order}, want ${ORDER}`);
    const first = rad.locator('table.worklist tbody tr').first();
    check((await first.textContent()).includes('Priority'), 'the first row is not the priority study');
    const overdue = rad.locator(`tr[data-study="${OVERDUE}"]`);
    check((await overdue.getAttribute('class')).includes('overdue') && (await overdue.textContent()).includes('Overdue'), 'overdue study not flagged');
    await shot(rad, 'worklist');
    await rad.selectOption('select[name=modality]', 'CT');
    await Promise.all([rad.waitForNavigation(), rad.click('form.worklist-filters button[type=submit]')]);
    check(await rad.locator('table.worklist tbody tr').count() === 1, 'the modality filter keeps other studies');
    await rad.goto(`${BASE}/worklist`);
  });

  await step('radiologist claims the study and sees the images beside the report form', async () => {
    const row = rad.locator(`tr[data-study="${STUDY}"]`);
    await Promise.all([rad.waitForNavigation(), row.locator('button:has-text("Claim")').click()]);
    check(rad.url().endsWith(`/studies/${STUDY}/report/edit`), `claim went to ${rad.url()}`);
    await imageShown(rad, '.editor .viewer-img');
    check((await rad.inputValue('textarea[name=technique]')).includes('Axial CT'), 'the CT template is not filled in');
    check(await rad.locator('a:has-text("Open in OHIF")').count() === 1, 'no OHIF link');
    await shot(rad, 'editor-claimed', false);
  });

  await step('radiologist writes the report; drafts save themselves', async () => {
    for (const [name, text] of Object.entries(REPORT)) await rad.fill(`textarea[name=${name}]`, text);
    await rad.waitForFunction(() => /Draft saved \d\d:\d\d:\d\d/.test(document.querySelector('.autosave').textContent), null, { timeout: 10000 });
    await shot(rad, 'editor-autosaved', false);
    await rad.reload();
    check((await rad.inputValue('textarea[name=impression]')) === REPORT.impression, 'the autosaved draft is lost on reload');
  });

  await step('radiologist finalises: signed with name and time', async () => {
    await Promise.all([rad.waitForNavigation(), rad.click('button:has-text("Finalise and sign")')]);
    check(rad.url().includes(`/studies/${STUDY}/report`), `after signing: ${rad.url()}`);
    const text = await rad.textContent('.report-sign');
    check(text.includes('Dr Anjali Rao'), `signature: ${text}`);
    await shot(rad, 'signed');
    await rad.goto(`${BASE}/worklist?status=signed`);
    check((await rad.textContent('table.worklist')).includes('Final'), 'the signed study is not listed as final');
  });

  await step('patient sees Reported on the dashboard and the banner on the study', async () => {
    await login(patient, PATIENT);
    const row = patient.locator(`tr[data-href="/studies/${STUDY}"]`);
    check((await row.textContent()).includes('Reported'), 'no Reported badge');
    await shot(patient, 'dashboard');
    await Promise.all([patient.waitForNavigation(), row.click()]);
    const banner = patient.locator('.report-banner');
    check((await banner.textContent()).includes('Report available'), 'no "Report available" banner');
    await shot(patient, 'study-banner');
  });

  await step('patient opens the report in a new tab, exactly as written', async () => {
    const [tab] = await Promise.all([patientCtx.waitForEvent('page'), patient.click('a:has-text("View Report")')]);
    await tab.waitForLoadState();
    tab.on('pageerror', (e) => errors.push(String(e)));
    const doc = await tab.textContent('.report-doc');
    for (const text of Object.values(REPORT)) {
      for (const line of text.split('\n')) check(doc.includes(line), `report page lacks ${line}`);
    }
    for (const want of ['Smith, Jane', 'JS-9', 'Dr Anjali Rao', 'CT Head']) check(doc.includes(want), `report page lacks ${want}`);
    await shot(tab, 'page');
    await tab.emulateMedia({ media: 'print' });
    check(!(await tab.isVisible('.topbar')) && !(await tab.isVisible('.report-toolbar')), 'the print stylesheet keeps the page chrome');
    await shot(tab, 'print');
    await tab.emulateMedia({ media: 'screen' });

    const [download] = await Promise.all([tab.waitForEvent('download'), tab.click('a:has-text("Download PDF")')]);
    const file = path.join(os.tmpdir(), `pacslite-report-${process.pid}.pdf`);
    await download.saveAs(file);
    const pdf = await readFile(file);
    check(pdf.subarray(0, 5).toString() === '%PDF-', 'the download is not a PDF');
    try {
      const text = execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-']).toString();
      for (const want of ['सिर में दर्द, दो सप्ताह से।', 'FINDINGS', REPORT.impression, 'Electronically signed by Dr Anjali Rao']) {
        check(text.includes(want), `PDF text lacks ${want}`);
      }
      execFileSync('pdftoppm', ['-png', '-r', '70', '-f', '1', '-l', '1', '-singlefile', file, path.join(SHOTS, 'report-pdf')]);
    } catch (e) {
      if (e.code !== 'ENOENT') throw e;
      console.log('     (poppler-utils missing: PDF text not checked)');
    } finally {
      await rm(file, { force: true });
    }
  });

  await step('phone layout of the report', async () => {
    const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    const p = await ctx.newPage();
    await login(p, PATIENT);
    await p.goto(`${BASE}/studies/${STUDY}/report`);
    await shot(p, 'phone');
    const wide = await p.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
    check(!wide, 'the report page scrolls sideways on a phone');
    await ctx.close();
  });

  await step('admin: reporting settings and the outbox', async () => {
    await login(admin, ADMIN);
    await admin.goto(`${BASE}/reports/settings`);
    const box = await admin.textContent('table.outbox');
    check(box.includes(PATIENT.email), 'the outbox does not list the patient message');
    check(box.includes('Your radiology report is ready'), 'no "report ready" message in the outbox');
    await shot(admin, 'settings');
  });

  await step('no script errors or Content Security Policy violations', async () => {
    check(errors.length === 0, errors.join('\n'));
  });
  await browser.close();
}

run(main);
