// History (view=history): status.history newest first, each with its commit (message and author, fetched lazily
// from .../revisions/{rev}/metadata and cached for the page's life), deployed-at, duration and who started it, and
// Rollback (POST .../rollback {id}; the server refuses it for an auto-synced app, and that message is shown).
import {h, replace} from './dom.js';
import {api, enc} from './api.js';
import {shortSha, age, duration, localTime} from './format.js';
import {confirmDialog, toast} from './dialogs.js';

// revisionMetadata(app, rev) → Promise<{author, date, message, tags}>; one request per revision.
const metadataCache = new Map();
export function revisionMetadata(appName, revision) {
  const key = `${appName}@${revision}`;
  if (!metadataCache.has(key)) {
    const promise = api.get(`/api/v1/applications/${enc(appName)}/revisions/${enc(revision)}/metadata`);
    promise.catch(() => metadataCache.delete(key));  // a failed look-up is retried next time
    metadataCache.set(key, promise);
  }
  return metadataCache.get(key);
}

const firstLine = (message) => (message || '').split('\n')[0];

// Who started a deployment: the entry's initiatedBy (Argo CD's RevisionHistory field); for the newest entry, the
// operation that produced it when the entry lacks one; else unknown ("—").
function initiatedBy(entry, operation) {
  const by = entry.initiatedBy || operation?.initiatedBy;
  if (!by) return '—';
  if (by.username) return by.username;
  return by.automated ? 'automated' : '—';
}

// The last operation, when it deployed this entry's revision.
function operationFor(app, entry) {
  const op = app.status?.operationState;
  const synced = op?.syncResult?.revision || op?.operation?.sync?.revision;
  return op && (!synced || synced === entry.revision) ? op.operation : null;
}

export function renderHistory(container, app) {
  const name = app.metadata.name;
  const entries = [...(app.status?.history || [])].sort((a, b) => (b.id ?? 0) - (a.id ?? 0));
  if (!entries.length) { replace(container, h('p', {class: 'muted'}, 'No deployments yet.')); return; }
  const current = app.status?.sync?.revision;
  const rows = entries.map((entry, index) => {
    const message = h('td', {class: 'commit-message'}, h('span', {class: 'muted'}, '…'));
    const author = h('td', {class: 'commit-author'}, '');
    if (entry.revision) {
      revisionMetadata(name, entry.revision).then(meta => {
        replace(message, firstLine(meta?.message));
        message.title = meta?.message || '';
        replace(author, meta?.author || '');
      }, error => replace(message, h('span', {class: 'muted'}, `(${error.message})`)));
    } else replace(message, '');
    const rollback = h('button', {type: 'button', class: 'button', title: `Roll back to ${shortSha(entry.revision)}`,
      onclick: () => confirmDialog({
        label: `Rollback ${name}`,
        message: `Roll ${name} back to history ${entry.id}, revision ${shortSha(entry.revision)}?`,
        confirmLabel: 'Rollback',
        danger: true,
        run: async () => {
          await api.post(`/api/v1/applications/${enc(name)}/rollback`, {id: entry.id});
          toast(`Rollback of ${name} to ${shortSha(entry.revision)} started`);
        },
      })}, 'Rollback');
    return h('tr', {'data-history-id': String(entry.id)},
      h('td', {}, String(entry.id)),
      h('td', {class: 'mono', title: entry.revision || ''}, shortSha(entry.revision),
        index === 0 && entry.revision === current ? h('span', {class: 'tag-current'}, ' current') : null),
      message,
      author,
      h('td', {title: localTime(entry.deployedAt)}, entry.deployedAt ? `${age(entry.deployedAt)} ago` : ''),
      h('td', {}, duration(entry.deployStartedAt, entry.deployedAt)),
      h('td', {}, initiatedBy(entry, index === 0 ? operationFor(app, entry) : null)),
      h('td', {}, rollback));
  });
  replace(container, h('div', {class: 'table-scroll'}, h('table', {class: 'history'},
    h('thead', {}, h('tr', {}, ['ID', 'Revision', 'Message', 'Author', 'Deployed', 'Duration', 'Initiated by', ''].map(t => h('th', {scope: 'col'}, t)))),
    h('tbody', {}, rows))));
}
