// The Applications list (/applications): a summary bar, filters, and tiles or a table, kept live by the
// applications stream. Built to stay fast with 1,000 apps and 100 changes/s:
//   - the apps live in a Map name → entry {app, sig, search, ...}; a stream batch updates only its entries;
//   - every tile/row is keyed by name and reused: a changed app rewrites its own tile's fields (its link and
//     buttons stay, so keyboard focus survives), an unchanged one is not touched (sig = the shown fields);
//   - filtering and sorting run over plain entries (cheap), and only the first `limit` matches are in the DOM
//     ("Show more" adds more), so a batch costs a few tiles, not 1,000;
//   - at most one render per stream batch (live.js batches bursts), and ages tick every 10 s without a fetch.
// Filters, sort and view live in the URL (search, sync, health, namespace, repo, sort, view).
import {h, replace, clear} from './dom.js';
import {api, enc} from './api.js';
import {subscribe} from './live.js';
import {syncBadge, healthBadge, phaseBadge, SYNC_STATES, HEALTH_STATES} from './status.js';
import {shortSha, age, localTime, shortRepo} from './format.js';

// The list asks only for what a tile shows (Argo CD's `fields`): 1,000 full apps are ~5 MB, these ~0.4 MB.
const LIST_FIELDS = ['metadata', 'items.metadata.name', 'items.spec.source', 'items.spec.destination.namespace',
  'items.spec.syncPolicy.automated', 'items.status.sync.status', 'items.status.sync.revision',
  'items.status.health.status', 'items.status.operationState.phase', 'items.status.operationState.startedAt',
  'items.status.operationState.finishedAt', 'items.status.operationState.message'].join(',');
const LIST_URL = `/api/v1/applications?fields=${encodeURIComponent(LIST_FIELDS)}`;
// The list is asked for as soon as this module loads, while main.js still checks the session: the first paint
// then waits for one round trip, not two. quiet401: not being logged in is the session check's to handle. Only the
// first mount takes it (a later one asks again), and a failed prefetch is simply asked again.
let prefetched = api.get(LIST_URL, {quiet401: true}).catch(() => null);
const PAGE = 60;           // tiles/rows in the DOM at first, and per "Show more"
const AGE_TICK_MS = 10000;
const SNAPSHOT_QUIET_MS = 1500;  // after a (re)connect: no ADDED for this long = the snapshot is complete
const SORTS = {name: 'Name', sync: 'Sync status', health: 'Health', lastSync: 'Last sync'};
// Worst first: what needs attention sorts to the top.
const SYNC_RANK = {OutOfSync: 0, Unknown: 1, Synced: 2};
const HEALTH_RANK = {Degraded: 0, Missing: 1, Unknown: 2, Progressing: 3, Suspended: 4, Healthy: 5};

// The fields a tile shows, read once per change.
function entryOf(app) {
  const spec = app.spec || {};
  const status = app.status || {};
  const source = spec.source || {};
  const op = status.operationState || null;
  const e = {  // not the app itself: 1,000 full apps from the stream would stay in memory for nothing
    name: app.metadata?.name || '',
    sync: status.sync?.status || 'Unknown',
    health: status.health?.status || 'Unknown',
    revision: status.sync?.revision || '',
    target: source.targetRevision || 'HEAD',
    repo: source.repoURL || '',
    path: source.path || (source.chart ? `chart ${source.chart}` : ''),
    namespace: spec.destination?.namespace || '',
    phase: op?.phase || '',
    finishedAt: op?.finishedAt || (op?.phase === 'Running' ? '' : op?.startedAt || ''),
    startedAt: op?.startedAt || '',
    opMessage: op?.message || '',
    automated: spec.syncPolicy?.automated || null,
  };
  e.sig = [e.sync, e.health, e.revision, e.target, e.repo, e.path, e.namespace, e.phase, e.finishedAt, e.startedAt, e.opMessage,
    e.automated ? `${!!e.automated.prune}${!!e.automated.selfHeal}` : ''].join('\u0000');
  e.search = [e.name, e.repo, e.path, e.namespace].join('\u0000').toLowerCase();
  e.finishedMs = Date.parse(e.finishedAt) || 0;
  return e;
}

function readState(query) {
  const list = (k) => query.getAll(k).flatMap(v => v.split(',')).filter(Boolean);
  const sort = query.get('sort');
  return {
    search: query.get('search') || '',
    sync: list('sync'), health: list('health'), namespace: list('namespace'), repo: list('repo'),
    sort: SORTS[sort] ? sort : 'name',
    view: query.get('view') === 'table' ? 'table' : 'tiles',
  };
}

function compare(sort) {
  const byName = (a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  if (sort === 'sync') return (a, b) => (SYNC_RANK[a.sync] ?? 1) - (SYNC_RANK[b.sync] ?? 1) || byName(a, b);
  if (sort === 'health') return (a, b) => (HEALTH_RANK[a.health] ?? 2) - (HEALTH_RANK[b.health] ?? 2) || byName(a, b);
  if (sort === 'lastSync') return (a, b) => b.finishedMs - a.finishedMs || byName(a, b);
  return byName;
}

// Makes `container`'s children exactly `els`, in order, moving only what is out of place.
function reconcileChildren(container, els, before = null) {
  let cursor = container.firstChild;
  for (const el of els) {
    if (cursor === el) { cursor = cursor.nextSibling; continue; }
    container.insertBefore(el, cursor);
  }
  while (cursor && cursor !== before) {
    const next = cursor.nextSibling;
    cursor.remove();
    cursor = next;
  }
}

function ageNode(time, prefix = '') {
  if (!time) return null;
  return h('time', {class: 'age', datetime: time, title: localTime(time), 'data-prefix': prefix},
    `${prefix}${age(time)} ago`);
}

function autoSyncNode(e) {
  if (!e.automated) return null;
  const extras = [e.automated.prune && 'prune', e.automated.selfHeal && 'self-heal'].filter(Boolean);
  const text = `Auto-sync${extras.length ? ` (${extras.join(', ')})` : ''}`;
  return h('span', {class: 'auto-sync', title: text}, h('span', {'aria-hidden': 'true'}, '⟳ '),
    h('span', {class: 'auto-sync-text'}, 'Auto'), h('span', {class: 'sr-only'}, ` ${text}`));
}

function revisionNode(e) {
  return h('span', {class: 'revision'},
    h('span', {class: 'target', title: 'Target revision'}, e.target),
    e.revision ? [h('span', {'aria-hidden': 'true'}, ' → '), h('span', {class: 'sr-only'}, ' at '),
      h('code', {class: 'sha', title: e.revision}, shortSha(e.revision))] : null);
}

function lastSyncNode(e) {
  if (!e.phase) return h('span', {class: 'muted'}, 'Never synced');
  return h('span', {class: 'last-sync', title: e.opMessage}, phaseBadge(e.phase, 'small'), ' ',
    e.finishedAt ? ageNode(e.finishedAt) : ageNode(e.startedAt, 'started '));
}

export function mount(root, ctx) {
  document.title = 'Applications · gitmoor';
  let state = readState(ctx.query);
  let limit = PAGE;
  const entries = new Map();       // name → entry
  const tiles = new Map();         // name → {el, body, sig}
  const rows = new Map();          // name → {el, cells, sig}
  let loaded = false;
  let loadError = null;
  let closeStream = () => {};
  let alive = true;
  let snapshot = null;             // {seen: Set, timer} while a (re)connect's ADDED snapshot is arriving

  // ---- toasts (role=status): action results and errors, with the server's message
  const toast = h('div', {class: 'toast list-toast', role: 'status', hidden: true});
  let toastTimer = 0;
  const showToast = (text, kind = 'ok') => {
    toast.className = `toast list-toast ${kind}`;
    replace(toast, text);
    toast.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => { toast.hidden = true; }, kind === 'error' ? 10000 : 4000);
  };

  // ---- actions
  async function refresh(name, button) {
    button.disabled = true;
    try {
      const app = await api.get(`/api/v1/applications/${enc(name)}?refresh=normal`);
      if (app?.metadata?.name) upsert(app);
      render();
      showToast(`Refreshed ${name}`);
    } catch (error) {
      showToast(`Refresh ${name} failed: ${error.message}`, 'error');
    } finally { button.disabled = false; }
  }
  async function sync(name, button) {
    button.disabled = true;
    try {
      await api.post(`/api/v1/applications/${enc(name)}/sync`, {});
      showToast(`Sync of ${name} started`);
    } catch (error) {
      showToast(`Sync ${name} failed: ${error.message}`, 'error');
    } finally { button.disabled = false; }
  }
  const actionButtons = (name) => [
    h('button', {type: 'button', class: 'button small', 'aria-label': `Refresh ${name}`, title: 'Refresh (compare with Git)',
      onclick: (ev) => refresh(name, ev.currentTarget)}, h('span', {'aria-hidden': 'true'}, '⟳'),
      h('span', {class: 'action-text'}, 'Refresh')),
    h('button', {type: 'button', class: 'button small primary', 'aria-label': `Sync ${name}`, title: 'Sync now',
      onclick: (ev) => sync(name, ev.currentTarget)}, h('span', {'aria-hidden': 'true'}, '⇅'),
      h('span', {class: 'action-text'}, 'Sync')),
  ];
  const appLink = (name) => h('a', {class: 'app-name', href: `/applications/${enc(name)}`, 'data-link': ''}, name);

  // ---- a tile: the header (link) and actions are made once; the body is rewritten when the app changes
  function tileFor(e) {
    let t = tiles.get(e.name);
    if (!t) {
      const body = h('div', {class: 'tile-body'});
      const auto = h('span', {class: 'tile-auto'});
      const el = h('article', {class: 'app-tile', dataset: {app: e.name}, 'aria-label': e.name},
        h('header', {class: 'tile-head'}, h('h2', {class: 'tile-title'}, appLink(e.name)), auto),
        body,
        h('div', {class: 'tile-actions'}, actionButtons(e.name)));
      t = {el, body, auto, sig: ''};
      tiles.set(e.name, t);
    }
    if (t.sig !== e.sig) {
      t.sig = e.sig;
      t.el.dataset.sync = e.sync;
      t.el.dataset.health = e.health;
      replace(t.auto, autoSyncNode(e));
      replace(t.body,
        h('div', {class: 'tile-states'}, syncBadge(e.sync), healthBadge(e.health)),
        h('dl', {class: 'tile-fields'},
          h('dt', {}, 'Repository'), h('dd', {title: e.repo}, shortRepo(e.repo) || '—'),
          h('dt', {}, 'Path'), h('dd', {title: e.path}, e.path || '—'),
          h('dt', {}, 'Revision'), h('dd', {}, revisionNode(e)),
          h('dt', {}, 'Namespace'), h('dd', {}, e.namespace || '—'),
          h('dt', {}, 'Last sync'), h('dd', {}, lastSyncNode(e))));
    }
    return t.el;
  }

  function rowFor(e) {
    let r = rows.get(e.name);
    if (!r) {
      const cells = Array.from({length: 6}, () => h('td'));
      const el = h('tr', {dataset: {app: e.name}},
        h('th', {scope: 'row'}, appLink(e.name), h('span', {class: 'row-auto'})), cells,
        h('td', {class: 'row-actions'}, actionButtons(e.name)));
      r = {el, cells, auto: el.querySelector('.row-auto'), sig: ''};
      rows.set(e.name, r);
    }
    if (r.sig !== e.sig) {
      r.sig = e.sig;
      r.el.dataset.sync = e.sync;
      r.el.dataset.health = e.health;
      replace(r.auto, autoSyncNode(e));
      const [syncCell, healthCell, repoCell, revCell, nsCell, lastCell] = r.cells;
      replace(syncCell, syncBadge(e.sync));
      replace(healthCell, healthBadge(e.health));
      replace(repoCell, h('div', {class: 'cell-clip', title: e.repo}, shortRepo(e.repo)),
        e.path ? h('div', {class: 'muted cell-clip', title: e.path}, e.path) : null);
      replace(revCell, revisionNode(e));
      replace(nsCell, e.namespace);
      replace(lastCell, lastSyncNode(e));
    }
    return r.el;
  }

  // ---- the page's fixed parts
  const searchInput = h('input', {type: 'search', class: 'list-search', 'aria-label': 'Search applications',
    placeholder: 'Search name, repository, path, namespace', value: state.search, autocomplete: 'off'});
  // Typing renders at once; the URL follows when the typing pauses (browsers throttle rapid history updates).
  searchInput.addEventListener('input', () => { state.search = searchInput.value; commit({urlDelay: 250}); });

  const checkGroup = (label, key, values) => {
    const boxes = new Map();
    const fieldset = h('fieldset', {class: 'filter-group', 'aria-label': label}, h('legend', {}, label),
      values.map((v) => {
        const box = h('input', {type: 'checkbox', value: v});
        box.addEventListener('change', () => {
          state[key] = values.filter(x => boxes.get(x).checked);
          commit();
        });
        boxes.set(v, box);
        return h('label', {class: 'check'}, box, key === 'sync' ? syncBadge(v) : healthBadge(v));
      }));
    return {el: fieldset, sync: () => { for (const [v, box] of boxes) box.checked = state[key].includes(v); }};
  };
  const syncGroup = checkGroup('Sync', 'sync', SYNC_STATES);
  const healthGroup = checkGroup('Health', 'health', HEALTH_STATES);

  // Namespace and repository: values come from the apps, so a native multi-select (keyboard and screen reader
  // friendly), refreshed when the set of values changes.
  const multiSelect = (label, key, id) => {
    const select = h('select', {id, multiple: true, class: 'filter-select'});
    select.addEventListener('change', () => {
      state[key] = Array.from(select.selectedOptions, o => o.value);
      commit();
    });
    let known = '', knownSelected = '';
    const el = h('div', {class: 'filter-group'}, h('label', {for: id, class: 'filter-label'}, label), select);
    // Runs on every render: touches the DOM only when the values or the selection changed.
    return {el, update(values, show = (v) => v) {
      const all = [...new Set([...values, ...state[key]])].sort();
      const sig = all.join('\u0000');
      const selected = state[key].join('\u0000');
      if (sig === known && selected === knownSelected) return;
      if (sig !== known) {
        known = sig;
        replace(select, all.map(v => h('option', {value: v, title: v}, show(v) || '(none)')));
        select.size = Math.min(6, Math.max(2, all.length));
        el.hidden = all.length === 0;  // no apps yet: nothing to choose from
      }
      knownSelected = selected;
      for (const o of select.options) o.selected = state[key].includes(o.value);
    }};
  };
  const nsSelect = multiSelect('Namespace', 'namespace', 'filter-namespace');
  const repoSelect = multiSelect('Repository', 'repo', 'filter-repo');

  const activeFilters = () => (state.search ? 1 : 0) + state.sync.length + state.health.length +
    state.namespace.length + state.repo.length;
  const clearButton = h('button', {type: 'button', class: 'button ghost small', onclick: () => clearFilters()},
    'Clear filters');
  const filtersSummary = h('summary', {}, 'Filters');
  // Open beside the tiles on a desktop; folded at phone width, where it would push the apps below the fold.
  const filters = h('details', {class: 'list-filters', open: !matchMedia('(max-width: 640px)').matches},
    filtersSummary,
    h('div', {class: 'filters-body'}, syncGroup.el, healthGroup.el, nsSelect.el, repoSelect.el, clearButton));
  if (window.matchMedia?.('(max-width: 760px)').matches) filters.open = false;

  const sortSelect = h('select', {id: 'list-sort', value: state.sort},
    Object.entries(SORTS).map(([v, text]) => h('option', {value: v}, text)));
  sortSelect.addEventListener('change', () => { state.sort = sortSelect.value; commit(); });
  const viewButton = (view, text) => h('button', {type: 'button', class: 'button small', dataset: {view},
    'aria-pressed': String(state.view === view),
    onclick: () => { if (state.view !== view) { state.view = view; commit({push: true}); } }}, text);
  const tilesButton = viewButton('tiles', 'Tiles');
  const tableButton = viewButton('table', 'Table');
  const count = h('span', {class: 'list-count'});  // not a live region: it changes with every streamed batch

  const summary = h('section', {class: 'list-summary', 'aria-label': 'Summary'});
  const content = h('div', {class: 'list-content'});
  const tileGrid = h('div', {class: 'tile-grid'});
  const tableBody = h('tbody');
  const sortHeader = (key, text) => {
    const th = h('th', {scope: 'col', dataset: {sort: key}},
      h('button', {type: 'button', class: 'sort-button', onclick: () => { state.sort = key; commit(); }}, text));
    return th;
  };
  const sortHeaders = [sortHeader('name', 'Name'), sortHeader('sync', 'Sync'), sortHeader('health', 'Health')];
  const lastSyncHeader = sortHeader('lastSync', 'Last sync');
  const table = h('table', {class: 'app-table'},
    h('caption', {class: 'sr-only'}, 'Applications'),
    h('thead', {}, h('tr', {}, sortHeaders,
      h('th', {scope: 'col'}, 'Repository / path'), h('th', {scope: 'col'}, 'Revision'),
      h('th', {scope: 'col'}, 'Namespace'), lastSyncHeader, h('th', {scope: 'col'}, h('span', {class: 'sr-only'}, 'Actions')))),
    tableBody);
  const tableWrap = h('div', {class: 'table-wrap'}, table);
  const moreButton = h('button', {type: 'button', class: 'button list-more', onclick: () => { limit += PAGE * 2; render(); }});
  const status = h('div', {class: 'list-status'});

  const page = h('div', {class: 'list-page'},
    h('div', {class: 'list-heading'}, h('h1', {}, 'Applications'), count),
    summary,
    h('div', {class: 'list-layout'},
      filters,
      h('div', {class: 'list-main'},
        h('div', {class: 'list-toolbar'},
          searchInput,
          h('label', {class: 'sort-label', for: 'list-sort'}, 'Sort', sortSelect),
          h('div', {class: 'view-toggle', role: 'group', 'aria-label': 'View'}, tilesButton, tableButton)),
        status, content, moreButton)),
    toast);
  replace(root, page);

  // ---- state → URL
  let urlTimer = 0;
  function commit({push = false, urlDelay = 0} = {}) {
    limit = PAGE;
    clearTimeout(urlTimer);
    if (urlDelay) urlTimer = setTimeout(writeUrl, urlDelay, push);
    else writeUrl(push);
    render();
  }
  function writeUrl(push) {
    if (!alive) return;
    ctx.setQuery({
      search: state.search || null, sync: state.sync, health: state.health, namespace: state.namespace,
      repo: state.repo, sort: state.sort === 'name' ? null : state.sort, view: state.view === 'tiles' ? null : state.view,
    }, {replace: !push});
  }
  function clearFilters() {
    Object.assign(state, {search: '', sync: [], health: [], namespace: [], repo: []});
    searchInput.value = '';
    commit();
    searchInput.focus();
  }

  // ---- rendering: cheap enough to run on every batch
  function matches(e, skip) {
    if (state.sync.length && skip !== 'sync' && !state.sync.includes(e.sync)) return false;
    if (state.health.length && skip !== 'health' && !state.health.includes(e.health)) return false;
    if (state.namespace.length && !state.namespace.includes(e.namespace)) return false;
    if (state.repo.length && !state.repo.includes(e.repo)) return false;
    if (needle && !e.search.includes(needle)) return false;
    return true;
  }
  let needle = '';

  function renderSummary() {
    const syncCounts = Object.fromEntries(SYNC_STATES.map(s => [s, 0]));
    const healthCounts = Object.fromEntries(HEALTH_STATES.map(s => [s, 0]));
    for (const e of entries.values()) {
      syncCounts[e.sync] = (syncCounts[e.sync] || 0) + 1;
      healthCounts[e.health] = (healthCounts[e.health] || 0) + 1;
    }
    const chip = (key, value, n, badge) => h('button', {type: 'button', class: ['summary-chip', !n && 'zero'],
      'aria-pressed': String(state[key].includes(value)),
      'aria-label': `${value}: ${n} application${n === 1 ? '' : 's'}`,
      onclick: () => {
        state[key] = state[key].includes(value) ? state[key].filter(v => v !== value) : [...state[key], value];
        commit();
      }}, badge(value), h('span', {class: 'summary-count'}, String(n)));
    const sig = JSON.stringify([syncCounts, healthCounts, state.sync, state.health, entries.size]);
    if (summary.dataset.sig === sig) return;
    summary.dataset.sig = sig;
    const focused = document.activeElement && summary.contains(document.activeElement)
      ? document.activeElement.getAttribute('aria-label')?.split(':')[0] : null;
    replace(summary,
      h('div', {class: 'summary-total'}, h('span', {class: 'summary-count'}, String(entries.size)),
        entries.size === 1 ? ' app' : ' apps'),
      // Plain divs, not role=group: the filter groups own the accessible names "Sync" and "Health".
      h('div', {class: 'summary-group'},
        h('span', {class: 'summary-label'}, 'Sync'),
        Object.entries(syncCounts).map(([s, n]) => chip('sync', s, n, syncBadge))),
      h('div', {class: 'summary-group'},
        h('span', {class: 'summary-label'}, 'Health'),
        Object.entries(healthCounts).filter(([s, n]) => n || s === 'Healthy' || s === 'Degraded' || s === 'Progressing')
          .map(([s, n]) => chip('health', s, n, healthBadge))));
    if (focused) {  // the counts changed under a focused chip: keep the focus on the same state's chip
      for (const b of summary.querySelectorAll('button')) {
        if (b.getAttribute('aria-label').split(':')[0] === focused) { b.focus(); break; }
      }
    }
  }

  function render() {
    if (!alive) return;
    needle = state.search.trim().toLowerCase();
    renderSummary();
    syncGroup.sync();
    healthGroup.sync();
    const namespaces = new Set(), repos = new Set();
    for (const e of entries.values()) { namespaces.add(e.namespace); repos.add(e.repo); }
    nsSelect.update(namespaces);
    repoSelect.update(repos, shortRepo);
    const n = activeFilters();
    replace(filtersSummary, n ? `Filters (${n} active)` : 'Filters');
    clearButton.hidden = n === 0;
    page.dataset.view = state.view;  // the table takes the full width: filters go above it (list.css)
    tilesButton.setAttribute('aria-pressed', String(state.view === 'tiles'));
    tableButton.setAttribute('aria-pressed', String(state.view === 'table'));
    if (sortSelect.value !== state.sort) sortSelect.value = state.sort;
    for (const th of [...sortHeaders, lastSyncHeader]) {
      const key = th.dataset.sort;
      if (key === state.sort) th.setAttribute('aria-sort', key === 'name' ? 'ascending' : key === 'lastSync' ? 'descending' : 'other');
      else th.removeAttribute('aria-sort');
    }

    if (!loaded) {
      replace(status, loadError
        ? h('div', {class: 'banner error', role: 'alert'}, `Cannot load the applications: ${loadError}`, ' ',
          h('button', {type: 'button', class: 'button small', onclick: load}, 'Retry'))
        : h('p', {class: 'loading'}, 'Loading applications…'));
      clear(content);
      moreButton.hidden = true;
      return;
    }
    const shown = [];
    for (const e of entries.values()) if (matches(e)) shown.push(e);
    shown.sort(compare(state.sort));
    replace(count, entries.size ? `${shown.length === entries.size ? '' : `${shown.length} of `}${entries.size}` : '');
    if (entries.size === 0) {
      replace(status, h('div', {class: 'empty-state'},
        h('h2', {}, 'No applications yet'),
        h('p', {}, 'Create one with ', h('code', {}, 'kubectl apply -f application.yaml'),
          ': an Application (apiVersion gitmoor.dev/v1alpha1) in gitmoor\'s namespace. It appears here as soon as it exists.')));
    } else if (shown.length === 0) {
      replace(status, h('div', {class: 'empty-state'},
        h('h2', {}, 'No application matches the filters'),
        h('button', {type: 'button', class: 'button', onclick: clearFilters}, 'Clear filters')));
    } else {
      clear(status);
    }
    const visible = shown.slice(0, limit);
    if (state.view === 'tiles') {
      if (content.firstChild !== tileGrid) replace(content, tileGrid);
      reconcileChildren(tileGrid, visible.map(tileFor));
    } else {
      if (content.firstChild !== tableWrap) replace(content, tableWrap);
      reconcileChildren(tableBody, visible.map(rowFor));
      table.hidden = visible.length === 0;
    }
    const rest = shown.length - visible.length;
    moreButton.hidden = rest <= 0;
    if (rest > 0) replace(moreButton, `Show ${Math.min(rest, PAGE * 2)} more (${rest} not shown)`);
  }

  // ---- data
  function upsert(app) {
    const e = entryOf(app);
    if (e.name) entries.set(e.name, e);
  }
  function remove(name) {
    entries.delete(name);
    tiles.get(name)?.el.remove(); tiles.delete(name);
    rows.get(name)?.el.remove(); rows.delete(name);
  }
  // After a (re)connect the stream starts with an ADDED per app: once that snapshot is complete, an app it did
  // not name was deleted while the stream was down.
  function endSnapshot() {
    if (!snapshot) return;
    clearTimeout(snapshot.timer);
    const {seen} = snapshot;
    snapshot = null;
    for (const name of [...entries.keys()]) if (!seen.has(name)) remove(name);
    render();
  }
  function onBatch(batch) {
    for (const message of batch) {
      const {type, application} = message?.result || {};
      const name = application?.metadata?.name;
      if (!name) continue;
      if (snapshot && type !== 'ADDED') endSnapshot();  // a change after the snapshot: it is complete
      if (type === 'DELETED') remove(name);
      else {
        upsert(application);
        snapshot?.seen.add(name);
      }
    }
    if (snapshot) {
      clearTimeout(snapshot.timer);
      snapshot.timer = setTimeout(endSnapshot, SNAPSHOT_QUIET_MS);
    }
    if (!loaded) { loaded = true; loadError = null; }
    render();
  }
  function onOpen() {
    if (snapshot) clearTimeout(snapshot.timer);
    snapshot = {seen: new Set(), timer: setTimeout(endSnapshot, SNAPSHOT_QUIET_MS * 2)};
  }

  async function load() {
    loadError = null;
    render();
    try {
      const early = prefetched && await prefetched;
      prefetched = null;
      const list = early || await api.get(LIST_URL);
      if (!alive) return;
      performance.mark('gitmoor:list-parsed');
      for (const app of list?.items || []) upsert(app);
      loaded = true;
    } catch (error) {
      if (!alive) return;
      loadError = error.message;
      // A 401 already went to the login page; otherwise the stream may still bring the apps.
    }
    render();
    performance.mark('gitmoor:list-rendered');  // the load bench reports where the first paint's time went
  }

  // Ages tick without a fetch.
  const ageTimer = setInterval(() => {
    const now = Date.now();
    for (const el of root.querySelectorAll('time.age')) {
      el.textContent = `${el.dataset.prefix || ''}${age(el.getAttribute('datetime'), now)} ago`;
    }
  }, AGE_TICK_MS);

  // The stream (whose first message is a snapshot of every app again) starts once the list is painted, so its
  // parsing does not delay the first tiles.
  load().then(() => requestAnimationFrame(() => setTimeout(() => {
    if (!alive) return;
    closeStream = subscribe('/api/v1/stream/applications', onBatch, {minInterval: 100, onOpen});
  }, 0)));

  const unmount = () => {
    alive = false;
    closeStream();
    clearInterval(ageTimer);
    clearTimeout(toastTimer);
    clearTimeout(urlTimer);
    if (snapshot) clearTimeout(snapshot.timer);
  };
  // Back/forward through filters: the same page, another query.
  unmount.update = (query) => {
    state = readState(query);
    searchInput.value = state.search;
    limit = PAGE;
    render();
  };
  return unmount;
}
