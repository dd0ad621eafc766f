// Modal dialogs built on <dialog> (Escape closes them natively; focus returns to the opener) and a toast.
import {h, replace} from './dom.js';

// openDialog({label, content: [nodes], actions: (close) => [buttons], onClose}) → {dialog, close, error(message)}
export function openDialog({label, className, content, actions, onClose}) {
  const opener = document.activeElement;
  const errorBox = h('div', {class: 'dialog-error', role: 'alert'});
  const dialog = h('dialog', {'aria-label': label, class: className});
  const close = () => { if (dialog.open) dialog.close(); };
  dialog.addEventListener('close', () => {
    dialog.remove();
    onClose?.();
    if (opener && opener.isConnected) opener.focus();
  });
  // A click on the backdrop (outside the dialog's box) closes it.
  dialog.addEventListener('click', (event) => { if (event.target === dialog) close(); });
  replace(dialog, h('h2', {class: 'dialog-title'}, label), content, errorBox,
    h('div', {class: 'dialog-actions'}, h('button', {type: 'button', class: 'button', onclick: close}, 'Cancel'), actions(close)));
  document.body.append(dialog);
  dialog.showModal();
  return {dialog, close, error: (message) => replace(errorBox, message ? h('p', {class: 'banner error'}, message) : '')};
}

// confirm({label, message, confirmLabel, danger, run}) — run() is awaited; its error stays in the dialog.
export function confirmDialog({label, message, confirmLabel, danger, run}) {
  let d;
  const button = h('button', {type: 'button', class: ['button', danger ? 'danger' : 'primary'], onclick: async () => {
    button.disabled = true;
    d.error('');
    try { await run(); d.close(); } catch (error) { d.error(error.message); button.disabled = false; }
  }}, confirmLabel);
  d = openDialog({label, content: [h('p', {}, message)], actions: () => [button]});
  button.focus();
  return d;
}

let toastTimer = 0;
// A short message at the bottom right (role=status), e.g. "Sync started".
export function toast(message, {error = false} = {}) {
  document.querySelector('.toast.app-toast')?.remove();
  const el = h('div', {class: ['toast', 'app-toast', error && 'toast-error'], role: error ? 'alert' : 'status'}, message);
  document.body.append(el);
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => el.remove(), error ? 8000 : 4000);
}
