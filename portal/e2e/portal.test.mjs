// Browser test of the portal: Debian's Chromium driven by playwright-core
// against a running server (BASE_URL), as a patient, a second patient and
// an admin would use it. Saves screenshots of the main pages, desktop and
// phone, to SCREENSHOTS. Started by `go test ./cmd/pacslite -run
// TestPortalBrowser`, which starts the server and sets the environment.
import { chromium } from 'playwright-core';
import { step, check, run } from './steps.mjs';
import { readFile, mkdir } from 'node:fs/promises';
import path from 'node:path';

const BASE = process.env.BASE_URL;
const ADMIN = { email: process.env.ADMIN_EMAIL, password: process.env.ADMIN_PASSWORD };
const TESTDATA = process.env.TESTDATA;
const SHOTS = process.env.SCREENSHOTS;
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

async function shot(page, name) {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true, animations: 'disabled' });
}

// stow sends DICOM files to the archive with STOW-RS and a bearer token.
async function stow(token, files) {
  const boundary = 'pacslite-e2e-boundary';
  const parts = [];
  for (const f of files) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`));
    parts.push(await readFile(path.join(TESTDATA, f)));
    parts.push(Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  const res = await fetch(`${BASE}/dicomweb/studies`, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${token}`, Accept: 'application/dicom+json',
      'Content-Type': `multipart/related; type="application/dicom"; boundary=${boundary}`,
    },
    body: Buffer.concat(parts),
  });
  const text = await res.text();
  check(res.status === 200, `STOW answered ${res.status}: ${text}`);
  const uids = new Set();
  for (const o of JSON.parse(text)['00081199'].Value) {
    uids.add(o['00081190'].Value[0].match(/studies\/([^/]+)/)[1]);
  }
  return [...uids];
}

async function login(page, id, password) {
  await page.goto(`${BASE}/login`);
  await page.fill('input[name=login]', id);
  await page.fill('input[name=password]', password);
  await Promise.all([page.waitForNavigation(), page.click('form[action="/login"] button[type=submit]')]);
}

async function signup(page, name, email, password) {
  await page.goto(`${BASE}/signup`);
  await page.fill('input[name=name]', name);
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', password);
  await page.fill('input[name=confirm]', password);
  await Promise.all([page.waitForNavigation(), page.click('form[action="/signup"] button[type=submit]')]);
}

async function changePassword(page, current, next) {
  await page.goto(`${BASE}/settings`);
  await page.fill('input[name=current]', current);
  await page.fill('input[name=password]', next);
  await page.fill('input[name=confirm]', next);
  await Promise.all([page.waitForNavigation(), page.click('form[action="/settings/password"] button[type=submit]')]);
  check((await page.textContent('.alert-ok')).includes('password was changed'), 'no confirmation after changing the password');
}

// imageShown waits until an <img> or canvas matching sel shows real pixels.
async function imageShown(page, sel) {
  await page.waitForFunction((s) => {
    const el = document.querySelector(s);
    return el && !el.hidden && (el.tagName === 'CANVAS' || (el.complete && el.naturalWidth > 0));
  }, sel, { timeout: 20000 });
}

async function main() {
  await mkdir(SHOTS, { recursive: true });
  const browser = await chromium.launch({
    executablePath: CHROMIUM, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  const desktop = { viewport: { width: 1280, height: 800 } };
  const phone = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
  const admin = await (await browser.newContext(desktop)).newPage();
  const alice = await (await browser.newContext(desktop)).newPage();
  const bob = await (await browser.newContext(desktop)).newPage();
  const policyErrors = [];
  for (const p of [admin, alice, bob]) {
    p.on('dialog', (d) => d.accept());
    p.on('console', (m) => { if (m.type() === 'error' && /Content Security Policy|Uncaught/.test(m.text())) policyErrors.push(m.text()); });
    p.on('pageerror', (e) => policyErrors.push(String(e)));
  }
  let token, study, other;

  await step('login page', async () => {
    await alice.goto(`${BASE}/`);
    check(alice.url().endsWith('/login'), `/ went to ${alice.url()}, want /login`);
    await shot(alice, 'login');
  });

  await step('admin creates an API token and a PACS stores two studies with it', async () => {
    await login(admin, ADMIN.email, ADMIN.password);
    await admin.goto(`${BASE}/admin/tokens`);
    await admin.fill('input[name=name]', 'hospital-pacs');
    await admin.check('input[name=scope][value="dicomweb:write"]');
    await Promise.all([admin.waitForNavigation(), admin.click('form[action="/admin/tokens"] button[type=submit]')]);
    token = (await admin.textContent('#token')).trim();
    check(token.startsWith('pacslite_'), `token ${token}`);
    await shot(admin, 'admin-token-created');
    [study] = await stow(token, ['suyashkumar/5.dcm']);
    [other] = await stow(token, ['pydicom/MR_small.dcm']);
    const anon = await fetch(`${BASE}/dicomweb/studies`);
    check(anon.status === 401, `anonymous QIDO answered ${anon.status}, want 401`);
  });

  await step('patient signs up and sees an empty dashboard', async () => {
    await signup(alice, 'Alice Patient', 'alice@example.org', 'alice-password-1');
    check(alice.url().includes('/studies'), `after sign-up: ${alice.url()}`);
    check((await alice.textContent('main')).includes('No studies yet'), 'no empty state');
    await shot(alice, 'dashboard-empty');
  });

  await step('admin sees every study and links one to the patient', async () => {
    await admin.goto(`${BASE}/studies`);
    check(await admin.locator('tr[data-href]').count() === 2, 'admin dashboard does not list both studies');
    await shot(admin, 'dashboard-admin');
    await admin.goto(`${BASE}/studies/${study}`);
    await admin.fill('input[name=login]', 'alice@example.org');
    await Promise.all([admin.waitForNavigation(), admin.click('form[action$="/links"] button[type=submit]')]);
    check((await admin.textContent('main')).includes('alice@example.org'), 'link not shown');
  });

  await step('patient sees the study on the dashboard, opens it and sees an image', async () => {
    await alice.goto(`${BASE}/studies`);
    const rows = alice.locator('tr[data-href]');
    check(await rows.count() === 1, `patient dashboard has ${await rows.count()} rows, want 1`);
    check((await rows.first().textContent()).includes('Ready'), 'no Ready badge');
    await shot(alice, 'dashboard');
    await Promise.all([alice.waitForNavigation(), rows.first().click()]);
    check(alice.url().endsWith(`/studies/${study}`), `row click went to ${alice.url()}`);
    await imageShown(alice, '.series-grid img.thumb');
    await shot(alice, 'study');
    await Promise.all([alice.waitForNavigation(), alice.click('text=View images')]);
    await imageShown(alice, '.viewer-img');
    await shot(alice, 'viewer');
    const first = await alice.getAttribute('.viewer-img', 'src');
    await alice.focus('.viewer-stage');
    await alice.keyboard.press('Home');
    await alice.waitForFunction(() => document.querySelector('.slice-label').textContent.startsWith('1 / '));
    await alice.keyboard.press('End');
    await alice.waitForFunction(() => /^([2-9]|\d\d+) \/ \1$/.test(document.querySelector('.slice-label').textContent));
    await imageShown(alice, '.viewer-img');
    await alice.click('.presets button:has-text("Lung")');
    await alice.waitForFunction(() => document.querySelector('.viewer-img').src.includes('window=-600,1500'));
    await imageShown(alice, '.viewer-img');
    check(first !== await alice.getAttribute('.viewer-img', 'src'), 'the image did not change');
    await shot(alice, 'viewer-lung-window');
  });

  await step('a second patient sees neither study, by URL or by DICOMweb', async () => {
    await signup(bob, 'Bob Patient', 'bob@example.org', 'bob-password-1');
    const res = await bob.goto(`${BASE}/studies/${study}`);
    check(res.status() === 404, `Bob's GET of Alice's study answered ${res.status()}, want 404`);
    check((await bob.textContent('h1')).includes('Page not found'), 'no friendly 404 page');
    await shot(bob, 'not-found');
    const seen = await bob.evaluate(async ([s]) => {
      const q = await fetch('/dicomweb/studies', { headers: { Accept: 'application/dicom+json' } });
      const m = await fetch(`/dicomweb/studies/${s}/metadata`);
      const f = await fetch(`/dicomweb/studies/${s}/series`);
      return { qido: q.status, studies: (await q.json()).length, metadata: m.status, series: f.status };
    }, [study]);
    check(seen.qido === 200 && seen.studies === 0 && seen.metadata === 404 && seen.series === 404, `Bob over DICOMweb: ${JSON.stringify(seen)}`);
    const mine = await alice.evaluate(async () => (await (await fetch('/dicomweb/studies')).json()).length);
    check(mine === 1, `Alice's QIDO finds ${mine} studies, want 1`);
  });

  await step('patient changes her password', async () => {
    await changePassword(alice, 'alice-password-1', 'alice-password-2');
    await shot(alice, 'settings');
    await alice.click('form[action="/logout"] button');
    await login(alice, 'alice@example.org', 'alice-password-2');
    check(alice.url().endsWith('/studies'), `login with the new password went to ${alice.url()}`);
  });

  await step('admin resets her password; she must choose a new one', async () => {
    await admin.goto(`${BASE}/admin/users`);
    await shot(admin, 'admin-users');
    const row = admin.locator('tr', { hasText: 'alice@example.org' });
    await Promise.all([admin.waitForNavigation(), row.locator('text=Reset password').click()]);
    const once = (await admin.textContent('#one-time')).trim();
    await shot(admin, 'admin-password-reset');
    await alice.goto(`${BASE}/studies`);
    check(alice.url().includes('/login'), `Alice's old session still works after the reset: ${alice.url()}`);
    await login(alice, 'alice@example.org', once);
    check(alice.url().includes('/settings?must=1'), `one-time login went to ${alice.url()}`);
    await changePassword(alice, once, 'alice-password-3');
    await alice.goto(`${BASE}/studies`);
    check(await alice.locator('tr[data-href]').count() === 1, 'dashboard after the reset');
  });

  await step('support: the bubble and a call-back request reach the admin', async () => {
    await alice.click('.bubble summary');
    await shot(alice, 'support-bubble');
    await Promise.all([alice.waitForNavigation(), alice.click('.bubble-panel a')]);
    await alice.fill('input[name=phone]', '+91 98765 43210');
    await alice.fill('textarea[name=issue]', 'Please call me about my CT report.');
    await alice.selectOption('select[name=preferred]', { index: 3 });
    await Promise.all([alice.waitForNavigation(), alice.click('form[action="/support"] button[type=submit]')]);
    check((await alice.textContent('main')).includes('Thank you'), 'no confirmation');
    await shot(alice, 'support');
    await admin.goto(`${BASE}/admin/support`);
    check((await admin.textContent('main')).includes('about my CT report'), 'request not listed for the admin');
    await shot(admin, 'admin-support');
  });

  await step('phone layout', async () => {
    const ctx = await browser.newContext(phone);
    const p = await ctx.newPage();
    await p.goto(`${BASE}/login`);
    await shot(p, 'phone-login');
    await login(p, 'alice@example.org', 'alice-password-3');
    await shot(p, 'phone-dashboard');
    await p.goto(`${BASE}/studies/${study}`);
    await imageShown(p, '.series-grid img.thumb');
    await shot(p, 'phone-study');
    await p.goto(`${BASE}/studies/${study}/viewer`);
    await imageShown(p, '.viewer-img');
    await shot(p, 'phone-viewer');
    const wide = await p.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
    check(!wide, 'the viewer page scrolls sideways on a phone');
    await ctx.close();
  });

  await step('no script errors or Content Security Policy violations', async () => {
    check(policyErrors.length === 0, policyErrors.join('\n'));
  });
  await browser.close();
  check(other, 'second study');
}

run(main);
