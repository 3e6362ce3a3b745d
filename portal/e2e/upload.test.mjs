// Browser test of uploads and payments: Debian's Chromium driven by
// playwright-core against a running server (BASE_URL) whose Razorpay is
// the fake (over real HTTP, on its own origin). Folders that look like
// CDs (CD_FIRST, CD_SECOND, CD_THIRD) are picked or dropped; screenshots
// go to SCREENSHOTS/upload-*.png. Started by `go test ./cmd/pacslite -run
// TestUploadBrowser`, which builds the folders and starts the servers.
import { chromium } from 'playwright-core';
import { readFile, mkdir } from 'node:fs/promises';
import path from 'node:path';

const BASE = process.env.BASE_URL;
const ADMIN = { email: process.env.ADMIN_EMAIL, password: process.env.ADMIN_PASSWORD };
const SHOTS = process.env.SCREENSHOTS;
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

let passed = 0;
const open = []; // pages to photograph when a step fails
async function step(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    passed++;
    console.log(`ok   ${name} (${Date.now() - t0} ms)`);
  } catch (e) {
    console.log(`FAIL ${name}: ${e.stack || e}`);
    for (const [i, p] of open.entries()) {
      if (!p.isClosed()) await p.screenshot({ path: path.join(SHOTS, `upload-failed-${i}.png`), fullPage: true }).catch(() => {});
    }
    throw e;
  }
}
function check(cond, msg) { if (!cond) throw new Error(msg); }
async function shot(page, name) {
  await sleep(300); // let smooth scrolling end, then go to the top: the sticky header stays there
  await page.evaluate(() => window.scrollTo({ top: 0, behavior: 'instant' }));
  await page.screenshot({ path: path.join(SHOTS, `upload-${name}.png`), fullPage: true, animations: 'disabled' });
}
const text = async (page, sel) => (await page.textContent(sel)) || '';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function login(page, id, password) {
  await page.goto(`${BASE}/login`);
  await page.fill('input[name=login]', id);
  await page.fill('input[name=password]', password);
  await Promise.all([page.waitForNavigation(), page.click('form[action="/login"] button[type=submit]')]);
}

// pick selects a folder with the "Select Folder" input and waits for the summary.
async function pick(page, dir) {
  await page.setInputFiles('#pick-folder', dir);
  await page.waitForSelector('#summary:not([hidden])', { timeout: 20000 });
}

// openTerms clicks Upload Files (answering the duplicates dialog with
// choose) and waits for the consent dialog.
async function openTerms(page, choose) {
  await page.click('#upload-files');
  if (choose) {
    await page.waitForSelector('#duplicates[open]');
    await choose();
    await page.click('#dup-continue');
  }
  await page.waitForSelector('#terms[open]');
}

async function main() {
  await mkdir(SHOTS, { recursive: true });
  const browser = await chromium.launch({
    executablePath: CHROMIUM, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  const desktop = { viewport: { width: 1280, height: 860 } };
  const ctx = await browser.newContext(desktop);
  const peter = await ctx.newPage();
  const admin = await (await browser.newContext(desktop)).newPage();
  const errors = [];
  open.push(peter, admin);
  for (const p of [peter, admin]) {
    p.on('dialog', (d) => d.accept());
    p.on('console', (m) => { if (m.type() === 'error' && /Content Security Policy|Uncaught/.test(m.text())) errors.push(m.text()); });
    p.on('pageerror', (e) => errors.push(String(e)));
  }

  await step('patient signs up and opens the upload page', async () => {
    await peter.goto(`${BASE}/signup`);
    await peter.fill('input[name=name]', 'Peter Doe');
    await peter.fill('input[name=email]', 'peter@example.org');
    await peter.fill('input[name=password]', 'peter-password-1');
    await peter.fill('input[name=confirm]', 'peter-password-1');
    await Promise.all([peter.waitForNavigation(), peter.click('form[action="/signup"] button[type=submit]')]);
    await Promise.all([peter.waitForNavigation(), peter.click('nav a[href="/upload"]')]);
    check((await text(peter, 'main')).includes('Select Folder'), 'no Select Folder');
    await shot(peter, 'empty');
  });

  await step('a CD folder: DICOM found, DICOMDIR and other files left out, names checked', async () => {
    await pick(peter, process.env.CD_FIRST);
    const totals = await text(peter, '#summary-totals');
    check(totals.startsWith('4 studies') && totals.includes('53 DICOM files'), `totals: ${totals}`);
    const skipped = await text(peter, '#summary-skipped');
    check(/5 files that are not DICOM/.test(skipped) && /2 DICOMDIR indexes/.test(skipped), `skipped: ${skipped}`);
    check(await peter.locator('#found-rows tr').count() === 4, 'not 4 rows');
    const rows = await text(peter, '#found-rows');
    check(rows.includes('Citizen, Jan') && rows.includes('Doe, Peter') && rows.includes('Testing File-set') && rows.includes('13 Sept 2020'.replace('Sept', 'Sep')), `rows: ${rows}`);
    check((await text(peter, '#name-warning')).includes('Citizen, Jan'), 'no warning for a name that is not the account holder\'s');
    await shot(peter, 'summary');
  });

  await step('consent, Priority, Checkout dismissed: the selection stays', async () => {
    await openTerms(peter);
    check(await peter.isDisabled('#pay'), 'Pay enabled before consent');
    await shot(peter, 'consent');
    await peter.check('#consent');
    await peter.check('input[name=report_type][value=priority]');
    check((await text(peter, '#pay')).includes('Pay ₹4,000'), `pay button: ${await text(peter, '#pay')}`);
    await peter.click('#pay');
    await peter.waitForSelector('.rzp-dialog');
    check((await text(peter, '.rzp-dialog')).includes('TEST MODE'), 'the fake Checkout does not say TEST MODE');
    check((await text(peter, '.rzp-amount')).includes('4,000'), 'Checkout shows another amount');
    await shot(peter, 'checkout');
    await peter.click('.rzp-close');
    await peter.waitForSelector('#message:has-text("Payment cancelled")');
    check(await peter.isVisible('#summary') && await peter.locator('#found-rows tr').count() === 4, 'the selection was lost');
    await shot(peter, 'cancelled');
  });

  let stowCalls = 0;
  await step('pay, progress, a failure mid-way, resume without paying again', async () => {
    // Each STOW-RS batch is slowed down; after the first, the network fails.
    await peter.route('**/dicomweb/studies', async (route) => {
      await sleep(400);
      if (++stowCalls > 1) return route.abort('failed');
      return route.continue();
    });
    await openTerms(peter);
    check(await peter.isChecked('#consent'), 'consent forgotten');
    await peter.check('input[name=report_type][value=priority]');
    await peter.click('#pay');
    await peter.waitForSelector('.rzp-dialog');
    await peter.click('.rzp-fail');
    await peter.waitForSelector('.rzp-error');
    await peter.waitForSelector('#message:has-text("Payment failed")');
    await shot(peter, 'payment-failed');
    await peter.click('.rzp-pay');
    await peter.waitForSelector('#progress:not([hidden])');
    await peter.waitForFunction(() => document.getElementById('bar-files').value > 0);
    await shot(peter, 'progress');
    await peter.waitForSelector('#progress-actions:not([hidden])', { timeout: 30000 });
    check((await text(peter, '#message')).includes('Resume upload'), `message: ${await text(peter, '#message')}`);
    await shot(peter, 'stopped');
    const dash = await ctx.newPage();
    await dash.goto(`${BASE}/studies`);
    check(await dash.locator('.badge-processing').count() >= 1, 'no study shows Processing');
    check(await dash.locator('.chip-priority').count() >= 1, 'no Priority chip while processing');
    await shot(dash, 'processing');
    await dash.close();
    await peter.unroute('**/dicomweb/studies');
    await Promise.all([peter.waitForURL(/\/studies\?uploaded=4/, { timeout: 30000 }), peter.click('#resume')]);
  });

  await step('the dashboard: Ready, with the Priority chip counting down from the payment', async () => {
    check((await text(peter, '.alert-ok')).includes('Upload complete'), 'no upload notice');
    check(await peter.locator('tr[data-href]').count() === 4, 'not 4 studies on the dashboard');
    check(await peter.locator('.badge-ready').count() === 4, 'not every study is Ready');
    const chips = await peter.locator('.chip-priority .countdown').allTextContents();
    check(chips.length === 4 && chips.every((c) => /^(1h 5\dm|2h 00m) left$/.test(c)), `countdowns: ${chips}`);
    await shot(peter, 'dashboard');
  });

  await step('duplicates: skip or replace each study already uploaded', async () => {
    await peter.goto(`${BASE}/upload`);
    await pick(peter, process.env.CD_SECOND);
    check((await text(peter, '#summary-totals')).startsWith('5 studies'), `totals: ${await text(peter, '#summary-totals')}`);
    check(await peter.locator('#found-rows .badge:has-text("Already uploaded")').count() === 3, 'duplicates not marked');
    await openTerms(peter, async () => {
      check(await peter.locator('#dup-list li').count() === 3, 'the dialog does not list 3 studies');
      await shot(peter, 'duplicate');
      await peter.locator('#dup-list li').first().locator('input[value=replace]').check();
    });
    await peter.check('#consent');
    check((await text(peter, '#pay')).includes('Pay ₹2,500'), 'Standard does not cost ₹2,500');
    await peter.click('#pay');
    await peter.waitForSelector('.rzp-dialog');
    await Promise.all([peter.waitForURL(/\/studies\?uploaded=3/, { timeout: 30000 }), peter.click('.rzp-pay')]);
    check(await peter.locator('tr[data-href]').count() === 6, `dashboard rows: ${await peter.locator('tr[data-href]').count()}`);
    check(await peter.locator('.chip-standard').count() === 3, 'no Standard chips');
    await shot(peter, 'dashboard-standard');
  });

  await step('admin refunds the standard upload to the patient\'s credit', async () => {
    await login(admin, ADMIN.email, ADMIN.password);
    await admin.goto(`${BASE}/admin/payments`);
    const row = admin.locator('tr:has(td[data-label=Report]:has-text("standard"))');
    check(await row.count() === 1, 'no standard upload listed');
    await row.locator('select[name=kind]').selectOption('credit');
    await row.locator('input[name=reason]').fill('Report delayed');
    await Promise.all([admin.waitForNavigation(), row.locator('button[type=submit]').click()]);
    check((await text(admin, '.alert-ok')).includes('₹2,500 refunded'), `notice: ${await text(admin, 'main')}`);
    await shot(admin, 'admin-payments');
    await peter.goto(`${BASE}/settings`);
    check((await text(peter, '.balance')).includes('₹2,500'), 'balance not shown');
    check((await text(peter, '#payments')).includes('₹4,000'), 'payment history lacks the priority upload');
    await shot(peter, 'settings');
  });

  await step('a dropped folder paid by credit: no Checkout', async () => {
    await peter.goto(`${BASE}/upload`);
    const checkoutLoads = [];
    peter.on('request', (r) => { if (r.url().includes('checkout.js')) checkoutLoads.push(r.url()); });
    const bytes = [...await readFile(path.join(process.env.CD_THIRD, 'IMAGES', 'IM0001'))];
    await peter.evaluate((data) => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array(data)], 'IM0001'));
      document.getElementById('dropzone').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, bytes);
    await peter.waitForSelector('#summary:not([hidden])');
    await openTerms(peter);
    await peter.check('#consent');
    check((await text(peter, '#pay')).includes('Upload using my credit'), `pay button: ${await text(peter, '#pay')}`);
    check((await text(peter, '#pay-note')).includes('covers this upload'), 'no credit note');
    await shot(peter, 'credit');
    await Promise.all([peter.waitForURL(/\/studies\?uploaded=1/, { timeout: 30000 }), peter.click('#pay')]);
    check(checkoutLoads.length === 0, `Checkout was loaded: ${checkoutLoads}`);
    await peter.goto(`${BASE}/settings`);
    check((await text(peter, '.balance')).includes('₹0'), `balance after: ${await text(peter, '.balance')}`);
  });

  await step('phone layout of the summary', async () => {
    const phone = await (await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 })).newPage();
    await login(phone, 'peter@example.org', 'peter-password-1');
    await phone.goto(`${BASE}/upload`);
    await pick(phone, process.env.CD_FIRST);
    await shot(phone, 'phone-summary');
  });

  await step('no script errors or Content Security Policy violations', async () => {
    check(errors.length === 0, errors.join('\n'));
  });
  await browser.close();
  console.log(`${passed} steps passed`);
}

main().catch(() => process.exit(1));
