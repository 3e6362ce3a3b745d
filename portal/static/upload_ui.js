// The upload page's rendering: the summary of what was found, messages,
// progress bars and the two dialogs (duplicates, terms and report type).
import { formatName, sameName } from './dicomscan.js';

const $ = (id) => document.getElementById(id);

export function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') e.className = v; else if (v !== false && v != null) e.setAttribute(k, v === true ? '' : v);
  }
  for (const k of kids) if (k != null) e.append(k);
  return e;
}

export function bytes(n) {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let i = -1;
  do { n /= 1024; i++; } while (n >= 1024 && i < units.length - 1);
  return `${n.toFixed(n < 10 ? 1 : 0)} ${units[i]}`;
}

export function rupees(paise) {
  const v = paise / 100;
  return '\u20b9' + v.toLocaleString('en-IN', { minimumFractionDigits: v % 1 ? 2 : 0, maximumFractionDigits: 2 });
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
export function studyDate(d) {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(d || '');
  return m ? `${Number(m[3])} ${MONTHS[Number(m[2]) - 1] || '?'} ${m[1]}` : '';
}

const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;

// message shows (or, without text, hides) the page's message line.
export function message(kind, text) {
  const m = $('message');
  m.hidden = !text;
  m.className = `alert alert-${kind}`;
  m.textContent = text || '';
  if (text) m.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
}

const STATUS = {
  new: ['New', 'badge-ready'], ask: ['Already uploaded', 'badge-processing'], replace: ['Will replace', 'badge-processing'],
  skip: ['Skipped', 'badge-disabled'], foreign: ['Another account\u2019s', 'badge-disabled'], done: ['Uploaded', 'badge-reported'],
};

// renderSummary shows the studies found, totals, files left out and a
// warning for names that are not the account's.
export function renderSummary(st, accountName) {
  const studies = [...st.studies.values()];
  const files = studies.reduce((n, s) => n + s.items.length, 0);
  const size = studies.reduce((n, s) => n + s.bytes, 0);
  $('summary-totals').textContent = `${plural(studies.length, 'study', 'studies')} \u00b7 ${plural(files, 'DICOM file', 'DICOM files')} \u00b7 ${bytes(size)}`;
  const left = [];
  if (st.skipped.other) left.push(plural(st.skipped.other, 'file that is not DICOM', 'files that are not DICOM'));
  if (st.skipped.dicomdir) left.push(plural(st.skipped.dicomdir, 'DICOMDIR index', 'DICOMDIR indexes'));
  if (st.skipped.unreadable) left.push(plural(st.skipped.unreadable, 'DICOM file without study identifiers', 'DICOM files without study identifiers'));
  $('summary-skipped').textContent = left.length ? `Left out: ${left.join(', ')}.` : '';
  const rows = $('found-rows');
  rows.replaceChildren();
  const strangers = [];
  for (const s of studies) {
    const other = !sameName(s.patientName, accountName);
    if (other) strangers.push(formatName(s.patientName));
    const [label, cls] = STATUS[s.action] || STATUS.new;
    rows.append(el('tr', { 'data-study': s.uid },
      el('td', { 'data-label': 'Patient' }, el('strong', {}, formatName(s.patientName) || 'Unnamed patient'),
        el('small', { class: 'muted' }, `ID ${s.patientID || '\u2014'}`),
        other ? el('small', { class: 'name-flag' }, '\u26a0 not the name on your account') : null),
      el('td', { 'data-label': 'Study date' }, studyDate(s.studyDate) || '\u2014'),
      el('td', { 'data-label': 'Modality' }, ...[...s.modalities].map((m) => el('span', { class: 'modality' }, m))),
      el('td', { 'data-label': 'Description' }, s.description || el('span', { class: 'muted' }, 'No description')),
      el('td', { 'data-label': 'Files' }, String(s.items.length)),
      el('td', { 'data-label': 'Size' }, bytes(s.bytes)),
      el('td', { 'data-label': 'Status' }, el('span', { class: `badge ${cls}` }, label))));
  }
  const warn = $('name-warning');
  warn.hidden = !strangers.length;
  warn.textContent = strangers.length
    ? `The patient name in ${plural(strangers.length, 'study', 'studies')} (${strangers.join('; ')}) is not the name on your account. You can still upload it; the hospital will see the difference.`
    : '';
  $('summary').hidden = false;
}

export function progress(p) {
  $('bar-files').max = Math.max(1, p.files);
  $('bar-files').value = p.filesDone;
  $('bar-bytes').max = Math.max(1, p.bytes);
  $('bar-bytes').value = p.bytesDone;
  $('files-text').textContent = `${p.filesDone} of ${p.files}`;
  $('bytes-text').textContent = `${bytes(p.bytesDone)} of ${bytes(p.bytes)}`;
}

// askDuplicates lets the patient skip or replace each study already in
// the account; it resolves false when they go back.
export function askDuplicates(studies) {
  const dlg = $('duplicates');
  const list = $('dup-list');
  list.replaceChildren();
  for (const s of studies) {
    const name = `dup-${s.uid}`;
    list.append(el('li', { class: 'dup' },
      el('div', {}, el('strong', {}, s.description || [...s.modalities].join('/') || 'Study'),
        el('small', { class: 'muted' }, ` ${formatName(s.patientName)} \u00b7 ${studyDate(s.studyDate) || 'date unknown'} \u00b7 ${plural(s.items.length, 'file', 'files')}`)),
      el('div', { class: 'dup-choice', role: 'radiogroup', 'aria-label': 'Skip or replace' },
        el('label', { class: 'radio' }, el('input', { type: 'radio', name, value: 'skip', checked: s.action !== 'replace' }), ' Skip'),
        el('label', { class: 'radio' }, el('input', { type: 'radio', name, value: 'replace', checked: s.action === 'replace' }), ' Replace'))));
  }
  return new Promise((resolve) => {
    const done = (ok) => {
      if (ok) for (const s of studies) s.action = list.querySelector(`input[name="dup-${CSS.escape(s.uid)}"]:checked`).value;
      $('dup-continue').onclick = $('dup-cancel').onclick = dlg.oncancel = null;
      dlg.close();
      resolve(ok);
    };
    $('dup-continue').onclick = () => done(true);
    $('dup-cancel').onclick = () => done(false);
    dlg.oncancel = (e) => { e.preventDefault(); done(false); };
    dlg.showModal();
  });
}

// askTerms shows the consent terms and the report types; it resolves the
// chosen type once the terms are accepted and Pay is clicked, or null.
export function askTerms(balance) {
  const dlg = $('terms'), consent = $('consent'), types = $('types'), pay = $('pay');
  const update = () => {
    types.disabled = !consent.checked;
    pay.disabled = !consent.checked;
    const t = types.querySelector('input:checked');
    const price = Number(t.dataset.price);
    let credit = Math.min(balance, price);
    if (price - credit > 0 && price - credit < 100) credit = price - 100;
    const due = price - credit;
    pay.textContent = due ? `Pay ${rupees(due)}` : 'Upload using my credit';
    $('pay-note').textContent = credit
      ? (due ? `Your credit of ${rupees(credit)} is applied first: you pay ${rupees(due)}.` : `Your credit balance covers this upload (${rupees(price)}): no payment needed.`)
      : '';
  };
  consent.onchange = update;
  types.onchange = update;
  update();
  return new Promise((resolve) => {
    const done = (v) => {
      pay.onclick = $('terms-cancel').onclick = dlg.oncancel = null;
      dlg.close();
      resolve(v);
    };
    pay.onclick = () => done(types.querySelector('input:checked').value);
    $('terms-cancel').onclick = () => done(null);
    dlg.oncancel = (e) => { e.preventDefault(); done(null); };
    dlg.showModal();
  });
}
