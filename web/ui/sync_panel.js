// The Sync panel: <dialog aria-label="Sync <name>"> with Argo CD's options (prune, dry run, force, apply out of
// sync only), the revision (default: the app's target) and the resources to sync (all checked = the whole app,
// no `resources` field). POST /api/v1/applications/{name}/sync with the body web/src/sync_request_json.cpp reads.
import {h} from './dom.js';
import {api, enc} from './api.js';
import {syncBadge} from './status.js';
import {openDialog, toast} from './dialogs.js';

export function syncRequestBody({prune, dryRun, force, applyOutOfSyncOnly, revision, resources, all}) {
  const body = {prune, dryRun};
  if (revision) body.revision = revision;
  if (force) body.strategy = {apply: {force: true}};
  if (applyOutOfSyncOnly) body.syncOptions = {items: ['ApplyOutOfSyncOnly=true']};
  if (!all) body.resources = resources.map(r => ({group: r.group || '', kind: r.kind, name: r.name, namespace: r.namespace || ''}));
  return body;
}

export function openSyncPanel(app, {onDone} = {}) {
  const name = app.metadata.name;
  const check = (label, checked = false) => {
    const input = h('input', {type: 'checkbox', checked});
    return {input, el: h('label', {class: 'checkbox'}, input, label)};
  };
  const prune = check('Prune');
  const dryRun = check('Dry run');
  const force = check('Force');
  const outOfSync = check('Apply out of sync only');
  const revision = h('input', {type: 'text', id: 'sync-revision', value: app.spec?.source?.targetRevision || 'HEAD',
    autocomplete: 'off', spellcheck: 'false'});
  const resources = (app.status?.resources || []).map(r => {
    const input = h('input', {type: 'checkbox', checked: true});
    // The label is exactly "<Kind>/<name>" (the tests' name for it); the namespace sits beside it.
    return {r, input, el: h('li', {}, h('span', {}, h('label', {class: 'checkbox'}, input, `${r.kind}/${r.name}`),
      r.namespace ? h('span', {class: 'muted'}, ` (${r.namespace})`) : null), ' ', syncBadge(r.status || 'Unknown'))};
  });
  const setAll = (value) => { for (const x of resources) x.input.checked = value; };
  const synchronize = h('button', {type: 'button', class: 'button primary'}, 'Synchronize');
  const d = openDialog({
    label: `Sync ${name}`,
    className: 'sync-panel',
    content: [
      h('fieldset', {class: 'options'}, h('legend', {}, 'Options'), prune.el, dryRun.el, force.el, outOfSync.el),
      h('div', {class: 'field'}, h('label', {for: 'sync-revision'}, 'Revision'), revision),
      h('fieldset', {class: 'sync-resources'}, h('legend', {}, `Resources (${resources.length})`),
        h('div', {class: 'select-all'},
          h('button', {type: 'button', class: 'button ghost', onclick: () => setAll(true)}, 'All'),
          h('button', {type: 'button', class: 'button ghost', onclick: () => setAll(false)}, 'None'),
          h('button', {type: 'button', class: 'button ghost', onclick: () => {
            for (const x of resources) x.input.checked = x.r.status !== 'Synced';
          }}, 'Out of sync')),
        resources.length ? h('ul', {class: 'plain resource-checks'}, resources.map(x => x.el)) : h('p', {class: 'muted'}, 'No resources yet.')),
    ],
    actions: () => [synchronize],
  });
  synchronize.addEventListener('click', async () => {
    const chosen = resources.filter(x => x.input.checked).map(x => x.r);
    if (resources.length && chosen.length === 0) { d.error('Choose at least one resource.'); return; }
    synchronize.disabled = true;
    d.error('');
    try {
      await api.post(`/api/v1/applications/${enc(name)}/sync`, syncRequestBody({
        prune: prune.input.checked, dryRun: dryRun.input.checked, force: force.input.checked,
        applyOutOfSyncOnly: outOfSync.input.checked, revision: revision.value.trim(),
        resources: chosen, all: chosen.length === resources.length}));
      d.close();
      toast(dryRun.input.checked ? `Dry run of ${name} started` : `Sync of ${name} started`);
      onDone?.();
    } catch (error) {
      d.error(error.message);
      synchronize.disabled = false;
    }
  });
  prune.input.focus();
  return d;
}
