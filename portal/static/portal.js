// pacslite portal: small enhancements over server-rendered pages. Every
// page works without this script, except the image viewer.

// Whole study rows are links.
for (const tr of document.querySelectorAll('tr[data-href]')) {
  tr.addEventListener('click', (e) => {
    if (e.target.closest('a, button, form, input')) return;
    location.href = tr.dataset.href;
  });
}

// Priority countdowns: "1h 42m left".
function left(ms) {
  if (ms <= 0) return 'overdue';
  const m = Math.floor(ms / 60000), h = Math.floor(m / 60);
  if (h >= 48) return `${Math.floor(h / 24)}d ${h % 24}h left`;
  if (h === 0) return `${Math.max(m, 1)}m left`;
  return `${h}h ${String(m % 60).padStart(2, '0')}m left`;
}
function tick() {
  for (const chip of document.querySelectorAll('[data-due]')) {
    const ms = Number(chip.dataset.due) - Date.now();
    const out = chip.querySelector('.countdown');
    if (out) out.textContent = left(ms);
    chip.classList.toggle('overdue', ms <= 0);
  }
}
tick();
setInterval(tick, 30000);

// Forms that do something hard to undo ask first.
document.addEventListener('submit', (e) => {
  const form = e.target.closest('form[data-confirm]');
  if (form && !window.confirm(form.dataset.confirm)) e.preventDefault();
});

// Copy buttons for one-time secrets.
for (const btn of document.querySelectorAll('[data-copy]')) {
  btn.addEventListener('click', async () => {
    const el = document.querySelector(btn.dataset.copy);
    try {
      await navigator.clipboard.writeText(el.textContent.trim());
      btn.textContent = 'Copied';
    } catch {
      const range = document.createRange();
      range.selectNodeContents(el);
      getSelection().removeAllRanges();
      getSelection().addRange(range);
    }
  });
}

// Thumbnails: the archive's series thumbnail, else a rendered instance,
// else the placeholder under the image stays visible.
function probe(src) {
  return new Promise((resolve) => {
    const img = new Image();
    img.onload = () => resolve(img.naturalWidth > 0);
    img.onerror = () => resolve(false);
    img.src = src;
  });
}
for (const img of document.querySelectorAll('img.thumb[data-srcs]')) {
  (async () => {
    for (const src of img.dataset.srcs.split(/\s+/).filter(Boolean)) {
      if (await probe(src)) {
        img.src = src;
        return;
      }
    }
    img.classList.add('failed');
  })();
}

if (document.querySelector('.viewer')) {
  import('./viewer.js').then((m) => m.start(document.querySelector('.viewer')));
}
