// pacslite portal: the report pages. Print button, confirmations, and the
// editor's autosave and templates. Every form still works without it.

for (const b of document.querySelectorAll('[data-print]')) {
  b.addEventListener('click', () => window.print());
}

for (const b of document.querySelectorAll('[data-confirm-click]')) {
  b.addEventListener('click', (e) => {
    if (!window.confirm(b.dataset.confirmClick)) e.preventDefault();
  });
}

const form = document.querySelector('form.report-form[data-autosave]');
if (form) {
  const status = form.querySelector('.autosave');
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  let timer = null;
  let saving = false;
  let again = false;
  let dirty = false;

  // save posts the form to the draft endpoint; edits made while a save is
  // on its way are saved right after it.
  async function save() {
    if (saving) {
      again = true;
      return;
    }
    saving = true;
    dirty = false;
    status.textContent = 'Saving…';
    try {
      const res = await fetch(form.dataset.autosave, {
        method: 'POST',
        headers: { 'X-CSRF-Token': csrf, Accept: 'application/json' },
        body: new URLSearchParams(new FormData(form)),
      });
      const body = await res.json();
      status.textContent = res.ok ? `Draft saved ${body.saved}` : body.error;
      status.classList.toggle('autosave-error', !res.ok);
      if (!res.ok) dirty = true;
    } catch {
      status.textContent = 'Not saved: check your connection.';
      status.classList.add('autosave-error');
      dirty = true;
    }
    saving = false;
    if (again) {
      again = false;
      save();
    }
  }

  form.addEventListener('input', () => {
    dirty = true;
    status.textContent = 'Editing…';
    status.classList.remove('autosave-error');
    clearTimeout(timer);
    timer = setTimeout(save, 1000);
  });
  form.addEventListener('submit', () => {
    dirty = false;
    clearTimeout(timer);
  });
  window.addEventListener('beforeunload', (e) => {
    if (dirty) e.preventDefault();
  });

  // Templates fill the sections that are empty or still hold another
  // template's untouched text.
  const select = form.querySelector('select[data-templates]');
  if (select) {
    const templates = JSON.parse(select.dataset.templates);
    const apply = () => {
      const t = templates[select.value] || {};
      for (const [name, text] of Object.entries(t)) {
        const area = form.elements[name];
        if (!area || area.readOnly || !text) continue;
        const untouched = Object.values(templates).some((o) => o[name] && o[name] === area.value);
        if (area.value.trim() === '' || untouched) area.value = text;
      }
      form.dispatchEvent(new Event('input'));
    };
    select.addEventListener('change', apply);
    const btn = form.querySelector('[data-apply-template]');
    if (btn) btn.addEventListener('click', apply);
  }
}
