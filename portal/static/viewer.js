// The built-in viewer: one series at a time, one image at a time, drawn by
// the archive's WADO-RS rendered resource with the chosen window.
// Scroll, the arrow keys, swipes or the slider change the image.

const presetsByModality = {
  CT: [['Soft tissue', 40, 400], ['Lung', -600, 1500], ['Bone', 400, 1800], ['Brain', 40, 80]],
};

export function start(el) {
  const root = el.dataset.root, study = el.dataset.study;
  const stage = el.querySelector('.viewer-stage');
  const img = el.querySelector('.viewer-img');
  const msg = el.querySelector('.viewer-msg');
  const info = el.querySelector('.viewer-info');
  const slider = el.querySelector('.slice');
  const label = el.querySelector('.slice-label');
  const presetBar = el.querySelector('.presets');
  const picks = [...el.querySelectorAll('.series-pick')];
  const state = { series: '', modality: '', frames: [], index: 0, window: null, token: 0 };
  const preloaded = new Map();

  const seriesURL = (s) => `${root}/studies/${encodeURIComponent(study)}/series/${encodeURIComponent(s)}`;
  function frameURL(f) {
    let u = `${seriesURL(state.series)}/instances/${encodeURIComponent(f.sop)}/frames/${f.frame}/rendered`;
    if (state.window) u += `?window=${state.window[0]},${state.window[1]},linear`;
    return u;
  }

  function show(text) {
    msg.textContent = text;
    msg.hidden = !text;
  }

  function draw() {
    const n = state.frames.length;
    if (!n) return;
    state.index = Math.max(0, Math.min(n - 1, state.index));
    slider.max = String(n);
    slider.value = String(state.index + 1);
    label.textContent = `${state.index + 1} / ${n}`;
    const f = state.frames[state.index];
    const src = frameURL(f);
    const token = ++state.token;
    const next = new Image();
    next.onload = () => {
      if (token !== state.token) return;
      img.src = src;
      img.hidden = false;
      img.alt = `Image ${state.index + 1} of ${n}`;
      show('');
      info.textContent = `#${f.number}${f.frames > 1 ? ` frame ${f.frame}` : ''}`;
    };
    next.onerror = () => {
      if (token !== state.token) return;
      img.hidden = true;
      show('This image cannot be shown here. It may use a format the server cannot render yet; try Open in OHIF.');
    };
    next.src = src;
    for (const d of [1, -1, 2]) {
      const p = state.frames[state.index + d];
      if (p) {
        const u = frameURL(p);
        if (!preloaded.has(u)) {
          const im = new Image();
          im.src = u;
          preloaded.set(u, im);
          if (preloaded.size > 200) preloaded.delete(preloaded.keys().next().value);
        }
      }
    }
  }

  function presets() {
    presetBar.textContent = '';
    const list = [['Default', null, null], ...(presetsByModality[state.modality] || [])];
    for (const [name, c, w] of list) {
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = name;
      b.setAttribute('aria-pressed', String((state.window === null && c === null) || (state.window && state.window[0] === c && state.window[1] === w)));
      b.addEventListener('click', () => {
        state.window = c === null ? null : [c, w];
        presets();
        draw();
      });
      presetBar.append(b);
    }
  }

  async function open(uid) {
    const token = ++state.token;
    state.series = uid;
    state.frames = [];
    state.window = null;
    img.hidden = true;
    show('Loading images…');
    for (const p of picks) p.setAttribute('aria-pressed', String(p.dataset.series === uid));
    const pick = picks.find((p) => p.dataset.series === uid);
    state.modality = pick ? pick.querySelector('small').textContent.split(' ')[0] : '';
    presets();
    try {
      const res = await fetch(`${seriesURL(uid)}/instances?includefield=00200013,00280008`, {
        headers: { Accept: 'application/dicom+json' }, credentials: 'same-origin',
      });
      if (!res.ok) throw new Error(`status ${res.status}`);
      const list = await res.json();
      if (token !== state.token) return;
      const val = (o, tag) => (o[tag] && o[tag].Value ? o[tag].Value[0] : undefined);
      const insts = list.map((o) => ({ sop: val(o, '00080018'), number: Number(val(o, '00200013') ?? 0), frames: Number(val(o, '00280008') ?? 1) || 1 }));
      insts.sort((a, b) => a.number - b.number);
      for (const i of insts) for (let f = 1; f <= i.frames; f++) state.frames.push({ ...i, frame: f });
      if (!state.frames.length) {
        show('This series has no images.');
        return;
      }
      state.index = Math.floor(state.frames.length / 2);
      draw();
    } catch (e) {
      show('The images could not be loaded. Reload the page to try again.');
    }
  }

  const step = (d) => { state.index += d; draw(); };
  for (const p of picks) p.addEventListener('click', () => open(p.dataset.series));
  slider.addEventListener('input', () => { state.index = Number(slider.value) - 1; draw(); });
  for (const b of el.querySelectorAll('[data-step]')) b.addEventListener('click', () => step(Number(b.dataset.step)));
  stage.addEventListener('wheel', (e) => { e.preventDefault(); step(e.deltaY > 0 ? 1 : -1); }, { passive: false });
  stage.addEventListener('keydown', (e) => {
    const keys = { ArrowDown: 1, ArrowRight: 1, PageDown: 10, ArrowUp: -1, ArrowLeft: -1, PageUp: -10 };
    if (e.key in keys) { e.preventDefault(); step(keys[e.key]); }
    if (e.key === 'Home') { state.index = 0; draw(); }
    if (e.key === 'End') { state.index = state.frames.length - 1; draw(); }
  });
  let touchY = null;
  stage.addEventListener('touchstart', (e) => { touchY = e.touches[0].clientY; }, { passive: true });
  stage.addEventListener('touchmove', (e) => {
    if (touchY === null) return;
    const dy = e.touches[0].clientY - touchY;
    if (Math.abs(dy) > 24) { step(dy < 0 ? 1 : -1); touchY = e.touches[0].clientY; }
  }, { passive: true });

  const first = el.dataset.selected || (picks[0] && picks[0].dataset.series);
  if (first) open(first);
  else show('This study has no images.');
}
