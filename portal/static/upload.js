// The upload page: folder in, studies found, duplicates, consent, report
// type, payment (Razorpay Checkout, loaded only when a payment is due),
// then the files to the archive in STOW-RS batches, resumable without
// paying again.
import { scanFile } from './dicomscan.js';
import { batches, storeBatch, StopError } from './stow.js';
import * as ui from './upload_ui.js';

const $ = (id) => document.getElementById(id);
const root = $('upload');
const cfg = root.dataset;
const csrf = document.querySelector('meta[name=csrf-token]').content;
const st = { studies: new Map(), skipped: {}, upload: null, resume: null, stored: new Set(), busy: false };

async function api(method, path, body) {
  const res = await fetch(path, {
    method, credentials: 'same-origin',
    headers: { 'X-CSRF-Token': csrf, Accept: 'application/json', ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  let json = {};
  try { json = await res.json(); } catch { json = { error: `The server answered ${res.status}.` }; }
  return { status: res.status, ok: res.ok, json };
}

// Files from a folder picked or dropped.
async function filesFromDrop(dt) {
  const entries = [...dt.items].map((i) => i.webkitGetAsEntry && i.webkitGetAsEntry()).filter(Boolean);
  if (!entries.length) return [...dt.files];
  const out = [];
  const walk = async (entry) => {
    if (entry.isFile) {
      out.push(await new Promise((res, rej) => entry.file(res, rej)));
      return;
    }
    const reader = entry.createReader();
    for (;;) {
      const batch = await new Promise((res, rej) => reader.readEntries(res, rej));
      if (!batch.length) break;
      for (const e of batch) await walk(e);
    }
  };
  for (const e of entries) await walk(e);
  return out;
}

async function scan(files) {
  if (st.busy) return;
  ui.message('', '');
  st.studies = new Map();
  st.skipped = { other: 0, dicomdir: 0, unreadable: 0 };
  if (!st.resume && !(st.upload && st.upload.state === 'created')) st.upload = null; // an unpaid one is replaced on retry
  $('summary').hidden = true;
  $('scanning').hidden = false;
  let done = 0;
  const queue = [...files];
  const worker = async () => {
    for (let f = queue.shift(); f; f = queue.shift()) {
      const r = await scanFile(f);
      if (r.kind === 'dicom') {
        const i = r.info;
        let s = st.studies.get(i.studyUID);
        if (!s) {
          s = { uid: i.studyUID, patientName: i.patientName, patientID: i.patientID, studyDate: i.studyDate,
            description: i.description, modalities: new Set(), items: [], sops: new Set(), bytes: 0, action: 'new' };
          st.studies.set(i.studyUID, s);
        }
        if (!s.sops.has(i.sopUID)) { // the same instance twice on a CD: send it once
          s.sops.add(i.sopUID);
          s.items.push({ file: f, info: i });
          s.bytes += f.size;
        }
        if (i.modality) s.modalities.add(i.modality);
      } else {
        st.skipped[r.kind]++;
      }
      $('scan-bar').value = ++done / files.length;
      $('scan-text').textContent = `${done} of ${files.length} files`;
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  $('scanning').hidden = true;
  if (!st.studies.size) {
    ui.message('warn', `No DICOM images were found in the ${files.length} files selected. Choose the folder of the CD or USB drive that holds the scans.`);
    return;
  }
  if (st.resume) return resume(st.resume);
  await markDuplicates();
  ui.renderSummary(st, cfg.accountName);
  $('summary').scrollIntoView({ block: 'start', behavior: 'smooth' });
}

// markDuplicates asks the archive (QIDO-RS, the patient's own studies)
// which of the studies found are already there.
async function markDuplicates() {
  const uids = [...st.studies.keys()];
  for (let i = 0; i < uids.length; i += 20) {
    const q = new URLSearchParams({ StudyInstanceUID: uids.slice(i, i + 20).join('\\'), includefield: '00081030' });
    const res = await fetch(`${cfg.root}/studies?${q}`, { headers: { Accept: 'application/dicom+json' }, credentials: 'same-origin' });
    if (!res.ok) continue;
    const text = await res.text();
    for (const o of text ? JSON.parse(text) : []) {
      const s = st.studies.get(o['0020000D'].Value[0]);
      if (s) s.action = 'ask';
    }
  }
}

async function uploadFiles() {
  const studies = [...st.studies.values()];
  const dups = studies.filter((s) => s.action === 'ask' || s.action === 'replace' || s.action === 'skip');
  if (dups.length && !(await ui.askDuplicates(dups))) return;
  ui.renderSummary(st, cfg.accountName);
  const chosen = studies.filter((s) => s.action === 'new' || s.action === 'replace');
  if (!chosen.length) {
    ui.message('warn', 'Every study was skipped: there is nothing to upload.');
    return;
  }
  const type = await ui.askTerms(Number(cfg.balance));
  if (!type) return;
  const res = await api('POST', '/uploads', {
    report_type: type, consent: true, consent_version: cfg.consentVersion,
    replaces: st.upload && st.upload.state === 'created' ? st.upload.id : '',
    studies: chosen.map((s) => ({ uid: s.uid, action: s.action, files: s.items.length, bytes: s.bytes, patient_name: s.patientName,
      study_date: s.studyDate, modality: [...s.modalities].join('/'), description: s.description })),
  });
  if (res.status === 409 && (res.json.duplicates || res.json.foreign)) {
    for (const uid of res.json.duplicates || []) st.studies.get(uid).action = 'ask';
    for (const uid of res.json.foreign || []) st.studies.get(uid).action = 'foreign';
    ui.renderSummary(st, cfg.accountName);
    ui.message('warn', res.json.error);
    return;
  }
  if (!res.ok) return ui.message('error', res.json.error);
  st.upload = res.json;
  if (!st.upload.checkout) return send(st.upload).catch(failed);
  await checkout(st.upload);
}

function loadCheckout() {
  if (window.Razorpay) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const s = document.createElement('script');
    s.src = cfg.checkout;
    s.onload = resolve;
    s.onerror = () => reject(new Error('The payment window could not be loaded. Check your connection and try again.'));
    document.head.append(s);
  });
}

async function checkout(up) {
  try { await loadCheckout(); } catch (e) { return ui.message('error', e.message); }
  const rzp = new window.Razorpay({
    ...up.checkout,
    handler: async (resp) => {
      ui.message('info', 'Payment received. Checking it with the bank…');
      const res = await api('POST', `/uploads/${up.id}/pay`, resp);
      if (!res.ok) return ui.message('error', res.json.error);
      st.upload = res.json;
      send(st.upload).catch(failed);
    },
    modal: { ondismiss: () => ui.message('warn', 'Payment cancelled. Your files are still selected: click \u201cUpload Files\u201d to try again.') },
  });
  rzp.on('payment.failed', (r) => ui.message('error', `Payment failed: ${r.error.description}. Try again in the payment window, or close it to come back later.`));
  rzp.open();
}

// send stores the files of a paid upload that are not stored yet.
async function send(up) {
  const uids = new Set(up.studies.map((s) => s.uid));
  const items = [...st.studies.values()].filter((s) => uids.has(s.uid)).flatMap((s) => s.items).filter((it) => !st.stored.has(it.info.sopUID));
  const total = { files: 0, bytes: 0 };
  for (const s of st.studies.values()) if (uids.has(s.uid)) { total.files += s.items.length; total.bytes += s.bytes; }
  const p = { files: total.files, bytes: total.bytes, filesDone: total.files - items.length, bytesDone: total.bytes - items.reduce((n, it) => n + it.file.size, 0) };
  $('summary').hidden = true;
  $('dropzone').hidden = true;
  if ($('unfinished')) $('unfinished').hidden = true;
  $('progress').hidden = false;
  $('progress-actions').hidden = true;
  $('progress-title').textContent = 'Uploading\u2026';
  ui.message('', '');
  ui.progress(p);
  st.busy = true;
  const queue = batches(items);
  const rejected = [], failed = [];
  let why = '', stop = null;
  const inflight = new Map();
  const worker = async (n) => {
    for (let b = queue.shift(); b && !stop; b = queue.shift()) {
      const size = b.reduce((s, it) => s + it.file.size, 0);
      try {
        const r = await storeBatch(`${cfg.root}/studies`, { 'X-CSRF-Token': csrf, 'X-Upload-Id': up.id }, b, (f) => {
          inflight.set(n, f * size);
          ui.progress({ ...p, bytesDone: p.bytesDone + [...inflight.values()].reduce((a, v) => a + v, 0) });
        });
        for (const it of r.stored) st.stored.add(it.info.sopUID);
        rejected.push(...r.rejected);
        failed.push(...r.failed);
        if (r.why) why = r.why;
        p.filesDone += r.stored.length + r.rejected.length;
        p.bytesDone += [...r.stored, ...r.rejected.map((x) => x.item)].reduce((s, it) => s + it.file.size, 0);
      } catch (e) {
        if (!(e instanceof StopError)) throw e;
        stop = e;
      }
      inflight.delete(n);
      ui.progress(p);
    }
  };
  await Promise.all([worker(1), worker(2)]);
  st.busy = false;
  if (stop) return stopped(`The archive refused the upload: ${stop.message}.`);
  if (failed.length || queue.length) return stopped(`${failed.length + queue.reduce((n, b) => n + b.length, 0)} files could not be sent (${why || 'connection lost'}).`);
  const empty = up.studies.filter((s) => ![...st.studies.get(s.uid).items].some((it) => st.stored.has(it.info.sopUID)));
  const res = await api('POST', `/uploads/${up.id}/complete`, {
    rejected: rejected.length, give_up: empty.length > 0, reason: empty.length ? `the archive refused every file of ${empty.length} study(ies)` : '',
  });
  if (res.ok && res.json.state === 'stored') {
    $('progress-title').textContent = 'Upload complete';
    $('progress-note').textContent = rejected.length ? `${rejected.length} files were refused by the archive and left out.` : 'Taking you to your studies\u2026';
    setTimeout(() => { location.href = res.json.redirect; }, rejected.length ? 2500 : 600);
  } else if (res.ok && res.json.state === 'credited') {
    $('progress-title').textContent = 'Upload failed';
    ui.message('error', `The archive refused the files of ${empty.length} study(ies), so the upload could not be completed. ${res.json.credited_text} was added to your refund credit balance and is used on your next upload.`);
  } else {
    stopped(res.json.error);
  }
}

function stopped(text) {
  $('progress-title').textContent = 'Upload stopped';
  $('progress-actions').hidden = false;
  ui.message('error', `${text} Your payment is safe: click \u201cResume upload\u201d to send the rest without paying again.`);
}

// resume continues an unfinished upload with the folder selected again.
async function resume(id) {
  const res = await api('GET', `/uploads/${id}`);
  if (!res.ok) return ui.message('error', res.json.error);
  st.upload = res.json;
  st.resume = null;
  for (const sop of res.json.stored_sops) st.stored.add(sop);
  const missing = res.json.studies.filter((s) => !st.studies.has(s.uid));
  if (missing.length === res.json.studies.length) {
    st.resume = id;
    return ui.message('warn', 'None of the studies of that upload are in this folder. Select the folder you chose the first time.');
  }
  send(st.upload).catch(failed);
}

// failed reports what went wrong in the page's own code, keeping the way
// to resume open.
function failed(e) {
  st.busy = false;
  stopped(`The upload stopped: ${e.message || e}.`);
}

$('pick-folder').addEventListener('change', (e) => scan([...e.target.files]));
$('pick-files').addEventListener('change', (e) => scan([...e.target.files]));
const zone = $('dropzone');
for (const t of ['dragenter', 'dragover']) zone.addEventListener(t, (e) => { e.preventDefault(); zone.classList.add('over'); });
zone.addEventListener('dragleave', () => zone.classList.remove('over'));
zone.addEventListener('drop', async (e) => {
  e.preventDefault();
  zone.classList.remove('over');
  scan(await filesFromDrop(e.dataTransfer));
});
$('upload-files').addEventListener('click', () => uploadFiles().catch((e) => ui.message('error', String(e.message || e))));
$('choose-again').addEventListener('click', () => $('pick-folder').click());
$('resume').addEventListener('click', () => send(st.upload).catch(failed));
for (const b of document.querySelectorAll('[data-resume]')) {
  b.addEventListener('click', () => {
    st.resume = b.dataset.resume;
    ui.message('info', 'Select the same folder again: the files already stored are skipped, and you do not pay again.');
    $('pick-folder').click();
  });
}
window.addEventListener('beforeunload', (e) => { if (st.busy) e.preventDefault(); });
