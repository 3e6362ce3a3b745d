// Finding DICOM files in a folder, in the browser: a file is DICOM when it
// has the preamble and "DICM", or (old CDs) starts with a plausible
// element of group 0002 or 0008. The header is parsed far enough to group
// files into studies; pixel data is never read. DICOMDIR (the index of a
// CD) is recognised by its SOP class and left out.

export const DIRECTORY_CLASS = '1.2.840.10008.1.3.10';
const FIRST_READ = 256 * 1024;
const SECOND_READ = 8 * 1024 * 1024;
const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'UC', 'UN', 'UR', 'UT', 'SV', 'UV']);
const VR = /^[A-Z]{2}$/;
const WANTED = {
  0x00080005: 'charset', 0x00080016: 'sopClass', 0x00080018: 'sopUID', 0x00080020: 'studyDate',
  0x00080060: 'modality', 0x00081030: 'description', 0x00100010: 'patientName', 0x00100020: 'patientID',
  0x0020000d: 'studyUID', 0x0020000e: 'seriesUID',
};
const LAST_WANTED = 0x0020000e;

class Truncated extends Error {}

// A cursor over a DataView with the endianness of the dataset.
class Reader {
  constructor(view, pos, little) { this.v = view; this.pos = pos; this.le = little; }
  need(n) { if (this.pos + n > this.v.byteLength) throw new Truncated(); }
  u16() { this.need(2); const x = this.v.getUint16(this.pos, this.le); this.pos += 2; return x; }
  u32() { this.need(4); const x = this.v.getUint32(this.pos, this.le); this.pos += 4; return x; }
  str(n) {
    this.need(n);
    const b = new Uint8Array(this.v.buffer, this.v.byteOffset + this.pos, n);
    this.pos += n;
    return b;
  }
  skip(n) { this.need(n); this.pos += n; }
}

// element reads one element header: tag, VR ('' when implicit) and length.
function element(r, explicit) {
  const tag = ((r.u16() << 16) | r.u16()) >>> 0;
  if (tag >>> 16 === 0xfffe) return { tag, vr: '', len: r.u32() };
  if (!explicit) return { tag, vr: '', len: r.u32() };
  const vr = String.fromCharCode(...r.str(2));
  if (LONG_VRS.has(vr)) { r.skip(2); return { tag, vr, len: r.u32() }; }
  return { tag, vr, len: r.u16() };
}

// skipUndefined skips the items of a sequence (or encapsulated data) of
// undefined length, up to its delimiter. UN content is implicit VR.
function skipUndefined(r, explicit) {
  for (;;) {
    const { tag, len } = element(r, false);
    if (tag === 0xfffee0dd) return;
    if (tag !== 0xfffee000) throw new Error('bad item');
    if (len !== 0xffffffff) { r.skip(len); continue; }
    walk(r, explicit, null, 0xfffee00d);
  }
}

// walk reads elements until the end tag (an item delimiter), the end of
// the wanted tags, or the pixel data, collecting wanted values in out.
function walk(r, explicit, out, endTag) {
  while (r.pos < r.v.byteLength) {
    const at = r.pos;
    const el = element(r, explicit);
    if (el.tag === endTag) return true;
    if (out && (el.tag > LAST_WANTED || el.tag === 0x7fe00010)) { r.pos = at; return true; }
    if (explicit && !VR.test(el.vr) && el.tag >>> 16 !== 0xfffe) throw new Error('bad VR');
    if (el.len === 0xffffffff) { skipUndefined(r, explicit && el.vr !== 'UN'); continue; }
    const name = out && WANTED[el.tag];
    if (name) out[name] = r.str(el.len); else r.skip(el.len);
  }
  return false;
}

function ascii(b) { return b ? new TextDecoder('latin1').decode(b).replace(/[\0\s]+$/, '').trim() : ''; }

function text(b, charset) {
  if (!b) return '';
  let label = 'latin1';
  if (/ISO_IR 192/.test(charset)) label = 'utf-8';
  else if (/GB18030/.test(charset)) label = 'gb18030';
  else if (/ISO_IR 13|ISO 2022 IR 13/.test(charset)) label = 'shift_jis';
  else if (/ISO 2022/.test(charset)) label = 'utf-8'; // escape sequences: best effort
  return new TextDecoder(label).decode(b).replace(/\x1b[\x20-\x2f]*[\x40-\x7e]/g, '').replace(/[\0\s]+$/, '').trim();
}

// meta reads the file meta group (always explicit VR little endian).
function meta(view, pos) {
  const r = new Reader(view, pos, true);
  const m = {};
  while (r.pos + 8 <= view.byteLength && view.getUint16(r.pos, true) === 0x0002) {
    const el = element(r, true);
    const v = r.str(el.len);
    if (el.tag === 0x00020002) m.mediaClass = ascii(v);
    if (el.tag === 0x00020010) m.syntax = ascii(v);
  }
  m.end = r.pos;
  return m;
}

async function inflate(file, offset, limit) {
  const stream = file.slice(offset).stream().pipeThrough(new DecompressionStream('deflate-raw'));
  const reader = stream.getReader();
  const chunks = [];
  let n = 0;
  try {
    while (n < limit) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      n += value.length;
    }
  } catch { /* a truncated stream: use what came */ }
  reader.cancel().catch(() => {});
  const out = new Uint8Array(n);
  let at = 0;
  for (const c of chunks) { out.set(c, at); at += c.length; }
  return new DataView(out.buffer);
}

// plausible reports whether a file without preamble starts like a dataset.
function plausible(view) {
  if (view.byteLength < 8) return false;
  const group = view.getUint16(0, true), elem = view.getUint16(2, true);
  return (group === 0x0002 || group === 0x0008) && elem < 0x0100;
}

async function parse(file, limit) {
  const buf = await file.slice(0, Math.min(file.size, limit)).arrayBuffer();
  const view = new DataView(buf);
  let pos = 0, syntax = '', mediaClass = '', preamble = false;
  if (view.byteLength >= 132 && ascii(new Uint8Array(buf, 128, 4)) === 'DICM') {
    preamble = true;
    pos = 132;
  } else if (!plausible(view)) {
    return { kind: 'other' };
  }
  if (view.byteLength >= pos + 2 && view.getUint16(pos, true) === 0x0002) {
    const m = meta(view, pos);
    ({ syntax = '', mediaClass = '' } = m);
    pos = m.end;
  }
  if (mediaClass === DIRECTORY_CLASS) return { kind: 'dicomdir' };
  let data = view, little = syntax !== '1.2.840.10008.1.2.2';
  let explicit = syntax !== '1.2.840.10008.1.2';
  if (syntax === '1.2.840.10008.1.2.1.99') {
    data = await inflate(file, pos, FIRST_READ);
    pos = 0;
  } else if (!syntax && data.byteLength >= pos + 6) {
    explicit = VR.test(ascii(new Uint8Array(buf, pos + 4, 2)));
  }
  const raw = {};
  let complete;
  try {
    complete = walk(new Reader(data, pos, little), explicit, raw, -1);
  } catch (e) {
    if (!(e instanceof Truncated)) return { kind: preamble ? 'unreadable' : 'other' };
    complete = false;
  }
  if (!complete && file.size > limit && limit < SECOND_READ) return null; // read more
  const cs = ascii(raw.charset);
  const info = {
    sopClass: ascii(raw.sopClass), sopUID: ascii(raw.sopUID), studyUID: ascii(raw.studyUID), seriesUID: ascii(raw.seriesUID),
    studyDate: ascii(raw.studyDate), modality: ascii(raw.modality), description: text(raw.description, cs),
    patientName: text(raw.patientName, cs), patientID: text(raw.patientID, cs),
  };
  if (info.sopClass === DIRECTORY_CLASS) return { kind: 'dicomdir' };
  if (!info.studyUID || !info.sopUID) return { kind: preamble ? 'unreadable' : 'other' };
  return { kind: 'dicom', info };
}

// scanFile classifies one file: {kind: 'dicom', info} | 'dicomdir' |
// 'unreadable' (DICOM without the identifiers an upload needs) | 'other'.
export async function scanFile(file) {
  const base = (file.webkitRelativePath || file.name).split('/').pop();
  if (base.toUpperCase() === 'DICOMDIR') return { kind: 'dicomdir' };
  if (file.size < 8) return { kind: 'other' };
  try {
    return (await parse(file, FIRST_READ)) || (await parse(file, SECOND_READ)) || { kind: 'unreadable' };
  } catch {
    return { kind: 'unreadable' };
  }
}

// formatName turns Family^Given^Middle into "Family, Given Middle".
export function formatName(pn) {
  const [family = '', given = '', middle = ''] = (pn || '').split('=')[0].split('^');
  const rest = [given, middle].filter(Boolean).join(' ');
  return [family, rest].filter(Boolean).join(', ');
}

// sameName mirrors the server: every word of the shorter name is in the other.
export function sameName(pn, account) {
  const words = (s) => new Set((s || '').toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean));
  let a = words((pn || '').split('=')[0]), b = words(account);
  if (!a.size || !b.size) return true;
  if (a.size > b.size) [a, b] = [b, a];
  return [...a].every((w) => b.has(w));
}
