// Sending files to the archive with STOW-RS, in batches, with progress,
// retries of failed batches, and the archive's verdict on each file.

const MAX_FILES = 20;
const MAX_BYTES = 16 * 1024 * 1024;
const ATTEMPTS = 4;
// Failure reasons (PS3.18 table 10.5.3-1) worth another try.
const TRANSIENT = new Set([0x0110, 0xa700]);

// batches groups items ({file, info}) into STOW-RS requests.
export function batches(items) {
  const out = [];
  let cur = [], bytes = 0;
  for (const it of items) {
    if (cur.length && (cur.length >= MAX_FILES || bytes + it.file.size > MAX_BYTES)) {
      out.push(cur);
      cur = [];
      bytes = 0;
    }
    cur.push(it);
    bytes += it.file.size;
  }
  if (cur.length) out.push(cur);
  return out;
}

// StopError ends the upload: retrying cannot help (refused, closed upload).
export class StopError extends Error {}

function send(url, headers, batch, onProgress) {
  const boundary = 'pacslite-' + crypto.randomUUID();
  const parts = [];
  for (const it of batch) {
    parts.push(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`, it.file, '\r\n');
  }
  parts.push(`--${boundary}--\r\n`);
  const body = new Blob(parts);
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    for (const [k, v] of Object.entries(headers)) xhr.setRequestHeader(k, v);
    xhr.setRequestHeader('Content-Type', `multipart/related; type="application/dicom"; boundary=${boundary}`);
    xhr.setRequestHeader('Accept', 'application/dicom+json');
    xhr.upload.onprogress = (e) => onProgress(Math.min(e.loaded, body.size) / body.size);
    xhr.onload = () => resolve({ status: xhr.status, type: xhr.getResponseHeader('Content-Type') || '', text: xhr.responseText });
    xhr.onerror = () => resolve({ status: 0, type: '', text: 'network error' });
    xhr.ontimeout = () => resolve({ status: 0, type: '', text: 'timed out' });
    xhr.send(body);
  });
}

// verdicts reads a STOW-RS answer: SOP Instance UID -> failure reason
// (0 when stored).
function verdicts(text) {
  const out = new Map();
  let json;
  try { json = JSON.parse(text); } catch { return out; }
  const seq = (tag) => (json[tag] && json[tag].Value) || [];
  for (const it of seq('00081199')) out.set(it['00081155'].Value[0], 0);
  for (const it of seq('00081198')) {
    const uid = it['00081155'] && it['00081155'].Value && it['00081155'].Value[0];
    const reason = it['00081197'] && it['00081197'].Value ? it['00081197'].Value[0] : 0xc000;
    if (uid) out.set(uid, reason);
  }
  return out;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// storeBatch sends one batch until it gets an answer for every file, or
// the attempts run out. It returns {stored: [items], rejected: [{item,
// reason}], failed: [items]} (failed: may succeed later).
export async function storeBatch(url, headers, batch, onProgress) {
  let pending = batch, why = '';
  const stored = [], rejected = [];
  for (let attempt = 0; attempt < ATTEMPTS && pending.length; attempt++) {
    if (attempt) await sleep(500 * 2 ** attempt);
    const res = await send(url, headers, pending, onProgress);
    const json = res.type.includes('json');
    if (res.status === 0 || res.status >= 500 || res.status === 429) {
      why = res.status ? `the server answered ${res.status}` : res.text;
      continue;
    }
    if (!json) throw new StopError(res.text.trim() || `the archive answered ${res.status}`);
    const v = verdicts(res.text);
    const again = [];
    for (const it of pending) {
      const reason = v.get(it.info.sopUID);
      if (reason === 0) stored.push(it);
      else if (reason === undefined || TRANSIENT.has(reason)) again.push(it);
      else rejected.push({ item: it, reason });
    }
    why = again.length ? 'the archive could not store some files yet' : '';
    pending = again;
  }
  return { stored, rejected, failed: pending, why };
}
