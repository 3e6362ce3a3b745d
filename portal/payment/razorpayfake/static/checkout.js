// A test-mode stand-in for Razorpay Checkout (checkout.js): the same
// constructor, options, callbacks and events, with a dialog whose buttons
// pay, fail or dismiss. It talks to the fake Razorpay server it was
// loaded from; nothing it does moves money.
(function () {
  'use strict';
  const base = new URL('.', document.currentScript.src);
  if (!document.querySelector('link[data-rzp-fake]')) {
    const css = document.createElement('link');
    css.rel = 'stylesheet';
    css.href = new URL('checkout.css', base).href;
    css.dataset.rzpFake = '';
    document.head.appendChild(css);
  }

  function rupees(paise, currency) {
    const v = paise / 100;
    const s = v.toLocaleString('en-IN', { minimumFractionDigits: v % 1 ? 2 : 0, maximumFractionDigits: 2 });
    return currency === 'INR' ? '\u20b9' + s : s + ' ' + currency;
  }

  function el(tag, attrs, ...kids) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'class') e.className = v; else if (k.startsWith('on')) e.addEventListener(k.slice(2), v); else e.setAttribute(k, v);
    }
    for (const k of kids) e.append(k);
    return e;
  }

  function Razorpay(options) {
    if (!(this instanceof Razorpay)) return new Razorpay(options);
    if (!options || !options.key) throw new Error('Razorpay: key is required');
    this.options = options;
    this.listeners = {};
    this.root = null;
  }

  Razorpay.prototype.on = function (event, fn) {
    (this.listeners[event] = this.listeners[event] || []).push(fn);
  };

  Razorpay.prototype.emit = function (event, data) {
    for (const fn of this.listeners[event] || []) fn(data);
  };

  Razorpay.prototype.close = function () {
    if (this.root) this.root.remove();
    this.root = null;
  };

  Razorpay.prototype.dismiss = function () {
    this.close();
    const m = this.options.modal || {};
    if (typeof m.ondismiss === 'function') m.ondismiss();
  };

  Razorpay.prototype.pay = async function (outcome) {
    const o = this.options;
    const method = this.root.querySelector('input[name=rzp-method]:checked').value;
    const status = this.root.querySelector('.rzp-status');
    status.textContent = 'Processing\u2026';
    status.className = 'rzp-status';
    for (const b of this.root.querySelectorAll('button')) b.disabled = true;
    let res, body;
    try {
      res = await fetch(new URL('checkout/pay', base), {
        method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ key: o.key, order_id: o.order_id, outcome, method }),
      });
      body = await res.json();
    } catch (e) {
      body = { error: { code: 'NETWORK_ERROR', description: 'Could not reach the payment server', metadata: {} } };
    }
    for (const b of this.root.querySelectorAll('button')) b.disabled = false;
    if (res && res.ok) {
      this.close();
      if (typeof o.handler === 'function') o.handler(body);
      return;
    }
    // As with Razorpay, a failed attempt leaves the dialog open for
    // another try; the page hears of it through payment.failed.
    status.textContent = body.error.description;
    status.className = 'rzp-status rzp-error';
    this.emit('payment.failed', { error: body.error });
  };

  Razorpay.prototype.open = function () {
    const o = this.options;
    this.close();
    const methods = el('div', { class: 'rzp-methods', role: 'radiogroup', 'aria-label': 'Payment method' });
    for (const [value, label] of [['card', 'Card'], ['upi', 'UPI'], ['netbanking', 'Net banking']]) {
      const input = el('input', { type: 'radio', name: 'rzp-method', value });
      if (value === 'card') input.checked = true;
      methods.append(el('label', { class: 'rzp-method' }, input, ' ' + label));
    }
    const dialog = el('div', { class: 'rzp-dialog', role: 'dialog', 'aria-modal': 'true', 'aria-label': 'Test-mode payment' },
      el('div', { class: 'rzp-testmode' }, 'TEST MODE \u00b7 simulated Razorpay Checkout \u00b7 no money moves'),
      el('button', { class: 'rzp-close', type: 'button', 'aria-label': 'Close', onclick: () => this.dismiss() }, '\u00d7'),
      el('div', { class: 'rzp-merchant' }, o.name || 'Merchant'),
      el('div', { class: 'rzp-desc' }, o.description || ''),
      el('div', { class: 'rzp-amount' }, rupees(o.amount, o.currency || 'INR')),
      el('div', { class: 'rzp-order' }, 'Order ' + (o.order_id || '')),
      methods,
      el('button', { class: 'rzp-pay', type: 'button', onclick: () => this.pay('success') }, 'Pay ' + rupees(o.amount, o.currency || 'INR')),
      el('button', { class: 'rzp-fail', type: 'button', onclick: () => this.pay('failure') }, 'Simulate a failed payment'),
      el('div', { class: 'rzp-status', role: 'status' }),
      el('div', { class: 'rzp-foot' }, 'Secured by Razorpay (simulated)'));
    if (o.theme && o.theme.color) dialog.style.setProperty('--rzp-color', o.theme.color);
    this.root = el('div', { class: 'rzp-backdrop', 'data-rzp-fake': '' }, dialog);
    this.root.addEventListener('keydown', (e) => { if (e.key === 'Escape') this.dismiss(); });
    document.body.appendChild(this.root);
    dialog.querySelector('.rzp-pay').focus();
  };

  window.Razorpay = Razorpay;
})();
