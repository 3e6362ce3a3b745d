// Browser test of sharing, downloads, activity and family members:
// Debian's Chromium driven by playwright-core against a running server
// (BASE_URL). The owner shares a study with a password; a recipient opens
// it in a fresh browser, gives the password, sees the study and an image;
// the owner revokes it and the recipient sees the revoked page. The owner
// downloads the originals with the security code read from the outbox
// (OUTBOX_URL, the patient's phone), reads the Activity, adds her father
// as a family member (his hospital study is matched) and switches to him.
// Screenshots: SCREENSHOTS/share-*.png. Started by `go test ./cmd/pacslite
// -run TestShareBrowser`, which starts the server and sets the environment.
import { chromium } from 'playwright-core';
import { step, check, submit, run } from './steps.mjs';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';

const BASE = process.env.BASE_URL;
const OUTBOX = process.env.OUTBOX_URL;
const ADMIN = { email: process.env.ADMIN_EMAIL, password: process.env.ADMIN_PASSWORD };
const PATIENT = { email: process.env.PATIENT_EMAIL, password: process.env.PATIENT_PASSWORD };
const STUDY = process.env.STUDY;
const FATHER = process.env.FATHER_STUDY;
const SHOTS = process.env.SCREENSHOTS;
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

async function shot(page, name) {
  await page.screenshot({ path: path.join(SHOTS, `share-${name}.png`), fullPage: true, animations: 'disabled' });
}
async function login(page, id, password) {
  await page.goto(`${BASE}/login`);
  await page.fill('input[name=login]', id);
  await page.fill('input[name=password]', password);
  await Promise.all([page.waitForNavigation(), page.click('form[action="/login"] button[type=submit]')]);
}
async function imageShown(page, sel) {
  await page.waitForFunction((s) => {
    const el = document.querySelector(s);
    return el && !el.hidden && (el.tagName === 'CANVAS' || (el.complete && el.naturalWidth > 0));
  }, sel, { timeout: 20000 });
}
async function text(page) {
  return page.textContent('main');
}

async function main() {
  await mkdir(SHOTS, { recursive: true });
  const browser = await chromium.launch({
    executablePath: CHROMIUM, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  const desktop = { viewport: { width: 1280, height: 800 } };
  const owner = await (await browser.newContext({ ...desktop, acceptDownloads: true })).newPage();
  const errors = [];
  const watch = (p) => {
    p.on('dialog', (d) => d.accept());
    p.on('console', (m) => { if (m.type() === 'error' && /Content Security Policy|Uncaught/.test(m.text())) errors.push(m.text()); });
    p.on('pageerror', (e) => errors.push(String(e)));
  };
  watch(owner);
  let link;
  let code;

  await step('owner creates a share with a password', async () => {
    await login(owner, PATIENT.email, PATIENT.password);
    await owner.goto(`${BASE}/studies/${STUDY}`);
    await submit(owner, 'a[href$="/share"]');
    await owner.fill('input[name=label]', 'Dr Rao');
    await owner.selectOption('select[name=hours]', '72');
    await owner.fill('input[name=password]', 'rao-1234');
    await owner.check('input[name=download]');
    await shot(owner, 'new');
    await submit(owner, 'form[action$="/shares"] button[type=submit]');
    link = (await owner.textContent('#share-link')).trim();
    code = (await owner.textContent('#share-code')).trim();
    check(link.startsWith(`${BASE}/s/`) && link.length > BASE.length + 40, `link ${link}`);
    check(/^[0-9A-Z]{5}-[0-9A-Z]{5}$/.test(code), `code ${code}`);
    const wa = await owner.getAttribute('a:has-text("WhatsApp")', 'href');
    check(wa.startsWith('https://wa.me/?text=') && wa.includes(encodeURIComponent(code)) && !wa.includes('rao-1234'), `WhatsApp hand-off ${wa}`);
    check((await owner.getAttribute('a:has-text("Email")', 'href')).startsWith('mailto:'), 'no email hand-off');
    check((await owner.getAttribute('a:has-text("SMS")', 'href')).startsWith('sms:'), 'no SMS hand-off');
    await shot(owner, 'created');
  });

  const recipientCtx = await browser.newContext(desktop);
  const doc = await recipientCtx.newPage();
  watch(doc);
  const token = () => link.slice(`${BASE}/s/`.length);

  await step('recipient opens the link in a fresh browser, gives the password, sees the study and an image', async () => {
    const res = await doc.goto(link);
    check(res.status() === 401, `locked share answered ${res.status()}`);
    check(!(await text(doc)).includes('Doe'), 'study shown before the password');
    await doc.fill('input[name=password]', 'wrong-guess');
    await submit(doc, 'form button[type=submit]');
    check((await text(doc)).includes('not right'), 'no message for a wrong password');
    await shot(doc, 'password');
    await doc.fill('input[name=password]', 'rao-1234');
    await submit(doc, 'form button[type=submit]');
    check(doc.url() === link, `after the password: ${doc.url()}`);
    await imageShown(doc, '.series-grid img.thumb');
    check((await text(doc)).includes('Shared with you by Alice Patient'), 'no owner line');
    check(await doc.locator('a:has-text("Download originals")').count() === 1, 'no download for a share that allows it');
    await shot(doc, 'recipient');
    // The share's DICOMweb root serves this study only.
    const seen = await doc.evaluate(async ([t, s, f]) => {
      const q = await fetch(`/s/${t}/dicomweb/studies`);
      const other = await fetch(`/s/${t}/dicomweb/studies/${f}/metadata`);
      const own = await fetch(`/s/${t}/dicomweb/studies/${s}/metadata`);
      return { qido: (await q.json()).length, other: other.status, own: own.status };
    }, [token(), STUDY, FATHER]);
    check(seen.qido === 1 && seen.other === 404 && seen.own === 200, `share DICOMweb: ${JSON.stringify(seen)}`);
    await submit(doc, 'a:has-text("View images")');
    await imageShown(doc, '.viewer-img');
    await shot(doc, 'viewer');
  });

  await step('the share code opens it too, from the code page', async () => {
    const p = await (await browser.newContext(desktop)).newPage();
    watch(p);
    await p.goto(`${BASE}/s`);
    await p.fill('input[name=code]', code.toLowerCase().replace('-', ' '));
    await shot(p, 'code');
    await submit(p, 'form button[type=submit]');
    check((await text(p)).includes('These images are protected'), `code page led to ${p.url()}`);
    await p.context().close();
  });

  await step('owner sees the opening and revokes the share; the recipient sees the revoked page', async () => {
    await owner.goto(`${BASE}/studies/${STUDY}/share`);
    const t = await text(owner);
    check(t.includes('For Dr Rao') && /Opened\s*1\s*time/.test(t) && t.includes('1 wrong password'), `share list: ${t}`);
    await shot(owner, 'list');
    await submit(owner, 'button:has-text("Revoke now")');
    check((await text(owner)).includes('was revoked'), 'no confirmation of the revocation');
    const res = await doc.goto(link);
    check(res.status() === 410, `revoked share answered ${res.status()}`);
    check((await doc.textContent('h1')).includes('revoked'), 'no revoked page');
    check(!(await text(doc)).includes('View images'), 'revoked page shows the study');
    const api = await doc.evaluate(async (t) => (await fetch(`/s/${t}/dicomweb/studies`)).status, token());
    check(api === 410, `DICOMweb of a revoked share: ${api}`);
    await shot(doc, 'revoked');
  });

  await step('owner downloads the originals with the security code from the outbox', async () => {
    await owner.goto(`${BASE}/studies/${STUDY}`);
    await shot(owner, 'study');
    await submit(owner, 'button:has-text("Download images")');
    check((await text(owner)).includes('the phone ending 3210'), 'code page does not say where the code went');
    await owner.fill('input[name=code]', '000000');
    await submit(owner, 'form[action^="/downloads/"] button[type=submit]');
    check((await text(owner)).includes('not right'), 'wrong code accepted');
    const sms = await (await fetch(`${OUTBOX}/?kind=download.code&channel=sms`)).text();
    const c = sms.match(/\b(\d{6})\b/);
    check(c, `no code in the SMS: ${sms}`);
    await owner.fill('input[name=code]', c[1]);
    await shot(owner, 'download-code');
    await submit(owner, 'form[action^="/downloads/"] button[type=submit]');
    check((await text(owner)).includes('Your download is ready'), 'code not accepted');
    await shot(owner, 'download-ready');
    const [dl] = await Promise.all([owner.waitForEvent('download'), owner.click('#download-zip')]);
    const file = await readFile(await dl.path());
    check(file.length > 1000 && file.subarray(0, 2).toString() === 'PK', `download is ${file.length} bytes`);
    check(file.includes('DICOMDIR') && file.includes('DICOM/PAT00001/STU00001/SER00001/IM000001'), 'ZIP lacks the DICOMDIR or the file');
    check(/\.zip$/.test(dl.suggestedFilename()), `file name ${dl.suggestedFilename()}`);
  });

  await step('Activity lists the accesses', async () => {
    await owner.goto(`${BASE}/studies/${STUDY}/activity`);
    const t = await text(owner);
    for (const want of ['Created a share link', 'Entered a wrong share password', 'Entered the share password', 'Opened the shared link',
      'Share for Dr Rao', 'Revoked a share link', 'Downloaded the original files', 'Entered a wrong download code', 'You']) {
      check(t.includes(want), `activity lacks "${want}"`);
    }
    await shot(owner, 'activity');
  });

  await step('family: her father is added, his hospital study is matched, the member switch shows it', async () => {
    await owner.goto(`${BASE}/members`);
    await owner.fill('form[action="/members"]:has(input[value=self]) input[name=birth_date]', '1985-02-14');
    await submit(owner, 'button:has-text("Save my details")');
    const add = owner.locator('#add-member');
    await add.locator('input[name=name]').fill('John Doe');
    await add.locator('input[name=birth_date]').fill('1980-10-10');
    await add.locator('select[name=relationship]').selectOption('parent');
    await add.locator('input[name=id_number]').fill('12345');
    await add.locator('input[name=consent]').check();
    await submit(owner, '#add-member button[type=submit]');
    check((await text(owner)).includes('1 studies from the hospital were found'), `after adding: ${await text(owner)}`);
    await shot(owner, 'members');
    await owner.goto(`${BASE}/studies`);
    check(await owner.locator('tr[data-href]').count() === 2, 'the dashboard does not show her study and her father\'s');
    await owner.goto(`${BASE}/members`);
    await submit(owner, '.member-pick:has-text("John Doe")');
    check(owner.url().endsWith('/studies'), `switch went to ${owner.url()}`);
    check(await owner.locator('tr[data-href]').count() === 1, 'after switching, not only his study');
    check((await owner.textContent('.chip-member')).includes('Viewing: John Doe'), 'no "Viewing" chip');
    check((await owner.textContent('tr[data-href]')).includes('Doe'), 'not his study');
    await shot(owner, 'member-switch');
    await owner.goto(`${BASE}/members`);
    await submit(owner, '.member-pick:has-text("Everyone")');
    check(await owner.locator('tr[data-href]').count() === 2, 'after switching back, not both studies');
  });

  await step('admin searches the audit trail and sees the shares', async () => {
    const admin = await (await browser.newContext(desktop)).newPage();
    watch(admin);
    await login(admin, ADMIN.email, ADMIN.password);
    await admin.goto(`${BASE}/admin/audit?action=share.&study=${STUDY}`);
    check((await admin.locator('table.audit tbody tr').count()) >= 5, 'few share events in the audit search');
    await shot(admin, 'admin-audit');
    const csv = await admin.evaluate(async (s) => (await fetch(`/admin/audit.csv?study=${s}`)).text(), STUDY);
    check(csv.startsWith('id,time,actor,role,action') && csv.includes('share.revoke'), 'CSV export');
    await admin.goto(`${BASE}/admin/shares?all=1`);
    check((await text(admin)).includes('revoked'), 'revoked share not listed for the admin');
    await shot(admin, 'admin-shares');
    await admin.goto(`${BASE}/admin/organisations`);
    await shot(admin, 'admin-organisations');
  });

  await step('a share on a phone', async () => {
    await owner.goto(`${BASE}/studies/${STUDY}/share`);
    await submit(owner, 'form[action$="/shares"] button[type=submit]');
    const l = (await owner.textContent('#share-link')).trim();
    const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    const p = await ctx.newPage();
    watch(p);
    await p.goto(l);
    await imageShown(p, '.series-grid img.thumb');
    await shot(p, 'phone');
    const wide = await p.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
    check(!wide, 'the share page scrolls sideways on a phone');
    await ctx.close();
  });

  await step('no script errors or Content Security Policy violations', async () => {
    check(errors.length === 0, errors.join('\n'));
  });
  await browser.close();
}

run(main);
