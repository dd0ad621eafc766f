// The Application page (/applications/{name}): header (sync, health, operation, commit, conditions), actions
// (Refresh, Hard refresh, Sync, Terminate, Delete), and three views switched by ?view=: the resource tree (default),
// the resource list and the history. ?node=<key>&tab=<tab> opens the resource panel (deep links). Live: the app
// from /api/v1/stream/applications?name=, the tree from /api/v1/stream/applications/{name}/resource-tree; the
// manifests (managed-resources) are re-read when the app's resources or the tree's managed objects change.
import {h, replace} from './dom.js';
import {api, enc} from './api.js';
import {subscribe} from './live.js';
import {syncBadge, healthBadge, phaseBadge} from './status.js';
import {shortSha, age, shortRepo, localTime} from './format.js';
import {buildModel, nodeKey} from './resource_model.js';
import {createTree} from './tree.js';
import {renderResourceList} from './resource_list.js';
import {createPanel, TABS} from './resource_panel.js';
import {renderHistory, revisionMetadata} from './history.js';
import {openSyncPanel} from './sync_panel.js';
import {openDialog, toast} from './dialogs.js';

const VIEWS = [{id: 'tree', label: 'Tree'}, {id: 'list', label: 'List'}, {id: 'history', label: 'History'}];

export function mount(root, ctx) {
  const name = ctx.params.name;
  const base = `/api/v1/applications/${enc(name)}`;
  const state = {app: null, tree: null, managed: null, model: null, deleted: false, expanded: new Set(),
    view: 'tree', node: null, tab: 'summary'};
  const closers = [];
  let unmounted = false;

  const header = h('section', {class: 'app-header', 'aria-label': 'Application'});
  const actions = h('div', {class: 'app-actions', role: 'toolbar', 'aria-label': 'Actions'});
  const viewSwitch = h('div', {class: 'view-switch segmented', role: 'group', 'aria-label': 'View'});
  const viewBody = h('div', {class: 'view-body'});
  const treeScroll = h('div', {class: 'tree-scroll', role: 'region', 'aria-label': 'Resource tree', tabindex: '-1'});
  const groupPods = h('input', {type: 'checkbox', checked: true, onchange: () => { state.expanded.clear(); renderView(); }});
  const treeHost = h('div', {class: 'tree-host'},
    h('div', {class: 'tree-toolbar'}, h('label', {class: 'checkbox'}, groupPods, 'Group Pods'),
      h('span', {class: 'muted tree-legend'}, h('span', {class: 'legend-dash', 'aria-hidden': 'true'}), 'Service → Pods')),
    treeScroll);
  const listHost = h('div', {class: 'list-host'});
  const historyHost = h('div', {class: 'history-host'});
  const page = h('div', {class: 'app-page'}, header, h('div', {class: 'app-toolbar'}, actions, viewSwitch), viewBody);
  replace(root, page);

  let panel = null;
  let scrolledTo = null;  // the node last scrolled into view (deep links)
  const tree = createTree(treeScroll, {appName: name, onSelect: (key) => selectNode(key),
    onToggleGroup: (owner) => { state.expanded.add(owner); renderView(); }});

  // ---- URL state ----
  function readQuery(query) {
    const view = query.get('view');
    state.view = VIEWS.some(v => v.id === view) ? view : 'tree';
    state.node = query.get('node') || null;
    const tab = query.get('tab');
    state.tab = TABS.some(t => t.id === tab) ? tab : 'summary';
  }
  readQuery(ctx.query);

  function selectNode(key) {
    state.node = key;
    scrolledTo = key;  // clicked, so visible: no scrolling
    state.tab = 'summary';
    ctx.setQuery({node: key, tab: null}, {replace: false});
    renderPanel(true);
    renderView();
  }
  function closePanel() {
    const key = state.node;
    state.node = null;
    ctx.setQuery({node: null, tab: null}, {replace: false});
    renderPanel();
    renderView();
    // Focus returns to the node that opened the panel.
    if (key) root.querySelector(`[data-node="${CSS.escape(key)}"] button, button[data-node="${CSS.escape(key)}"]`)?.focus();
  }

  // ---- header ----
  // The header is rebuilt only when what it shows changed (the app stream brings every reconcile), so a keyboard
  // user's focus in it is not lost; the ages in it refresh every 30 s.
  let headerSig = null;
  function renderHeader() {
    const app = state.app;
    renderActions();
    if (!app) { replace(header, h('h1', {}, name), h('p', {class: 'loading'}, 'Loading…')); return; }
    const status = app.status || {};
    const sig = JSON.stringify([app.spec, status.sync, status.health, status.operationState, status.conditions,
      state.deleted, Math.floor(Date.now() / 30000)]);
    if (sig === headerSig) return;
    headerSig = sig;
    const backFocused = document.activeElement?.classList.contains('back-link');
    const source = app.spec?.source || {};
    const op = status.operationState;
    const revision = status.sync?.revision || '';
    const commit = h('span', {class: 'commit'}, revision ? h('span', {class: 'mono', title: revision}, shortSha(revision)) : 'no revision yet');
    if (revision) {
      revisionMetadata(name, revision).then(meta => {
        if (!commit.isConnected || state.app?.status?.sync?.revision !== revision) return;
        replace(commit, h('span', {class: 'mono', title: revision}, shortSha(revision)),
          meta?.author ? h('span', {class: 'commit-author'}, ` ${meta.author.replace(/\s*<[^>]*>$/, '')}`) : null,
          meta?.message ? h('span', {class: 'commit-message', title: meta.message}, ` — ${meta.message.split('\n')[0]}`) : null);
      }, () => {});
    }
    const conditions = (status.conditions || []).map(c => h('div', {
      class: ['banner', /Error$/.test(c.type) ? 'error' : /Warning$/.test(c.type) ? 'warning' : null],
      role: /Error$/.test(c.type) ? 'alert' : null, 'data-condition': c.type},
    h('strong', {}, c.type), ': ', h('span', {class: 'condition-message'}, c.message || '')));
    replace(header,
      h('div', {class: 'app-title'},
        h('a', {href: '/applications', 'data-link': '', class: 'back-link'}, h('span', {'aria-hidden': 'true'}, '← '), 'Applications'),
        h('h1', {}, name),
        h('span', {class: 'project muted'}, 'project ', app.spec?.project || 'default')),
      h('div', {class: 'app-states'},
        h('div', {class: 'state-block'}, h('span', {class: 'label'}, 'Sync'), syncBadge(status.sync?.status),
          h('span', {class: 'muted'}, ' to ', commit)),
        h('div', {class: 'state-block'}, h('span', {class: 'label'}, 'Health'), healthBadge(status.health?.status),
          status.health?.message ? h('span', {class: 'muted health-message'}, ` ${status.health.message}`) : null),
        op ? h('div', {class: 'state-block'}, h('span', {class: 'label'}, 'Last operation'), phaseBadge(op.phase),
          h('span', {class: 'op-message'}, ` ${op.message || ''}`),
          h('span', {class: 'muted', title: localTime(op.finishedAt || op.startedAt)},
            (op.finishedAt || op.startedAt) ? ` (${age(op.finishedAt || op.startedAt)} ago)` : '')) : null),
      h('dl', {class: 'app-source'},
        h('div', {}, h('dt', {}, 'Repository'), h('dd', {class: 'mono', title: source.repoURL || ''}, shortRepo(source.repoURL))),
        h('div', {}, h('dt', {}, 'Path'), h('dd', {class: 'mono'}, source.path || (source.chart ? `chart ${source.chart}` : '.'))),
        h('div', {}, h('dt', {}, 'Target'), h('dd', {class: 'mono'}, source.targetRevision || 'HEAD')),
        h('div', {}, h('dt', {}, 'Destination'), h('dd', {class: 'mono'}, app.spec?.destination?.namespace || '—'))),
      state.deleted ? h('div', {class: 'banner warning', role: 'status'}, 'This application has been deleted.') : null,
      conditions);
    if (backFocused) header.querySelector('.back-link')?.focus();
  }

  // ---- actions ----
  // Built once and updated in place (disabled states), so focus stays on a button across live updates.
  const busy = new Set();
  const buttons = {};
  function actionButton(label, run, cls) {
    buttons[label] = h('button', {type: 'button', class: ['button', cls], onclick: async () => {
      busy.add(label);
      renderActions();
      try { await run(); } catch (error) { toast(`${label}: ${error.message}`, {error: true}); }
      busy.delete(label);
      renderActions();
    }}, label);
    return buttons[label];
  }
  async function refresh(kind) {
    const app = await api.get(`${base}?refresh=${kind}`);
    if (app) setApp(app);
    toast(kind === 'hard' ? 'Hard refresh done' : 'Refreshed');
  }
  actionButton('Refresh', () => refresh('normal'));
  actionButton('Hard refresh', () => refresh('hard')).title = 'Render the manifests again, ignoring the cache';
  buttons.Sync = h('button', {type: 'button', class: 'button primary', onclick: () => openSyncPanel(state.app)}, 'Sync');
  actionButton('Terminate', async () => {
    await api.del(`${base}/operation`);
    toast('Operation terminated');
  });
  buttons.Delete = h('button', {type: 'button', class: 'button danger', onclick: () => openDelete()}, 'Delete');
  replace(actions, Object.values(buttons));
  function renderActions() {
    const app = state.app;
    const running = app?.status?.operationState?.phase === 'Running';
    buttons.Refresh.disabled = !app || busy.has('Refresh');
    buttons['Hard refresh'].disabled = !app || busy.has('Hard refresh');
    buttons.Sync.disabled = !app || state.deleted;
    buttons.Terminate.disabled = !running || busy.has('Terminate');
    buttons.Terminate.title = running ? 'Stop the running operation' : 'No operation is running';
    buttons.Delete.disabled = !app || state.deleted;
  }
  function openDelete() {
    const cascade = h('input', {type: 'checkbox', checked: true});
    const typed = h('input', {type: 'text', id: 'delete-confirm', autocomplete: 'off', spellcheck: 'false'});
    const del = h('button', {type: 'button', class: 'button danger', disabled: true}, 'Delete');
    typed.addEventListener('input', () => { del.disabled = typed.value !== name; });
    const d = openDialog({
      label: `Delete ${name}`,
      content: [
        h('p', {}, 'Deleting the application stops gitmoor from managing it.'),
        h('label', {class: 'checkbox'}, cascade, 'Cascade'),
        h('p', {class: 'muted hint'}, 'Cascade also deletes the application’s resources from the cluster.'),
        h('div', {class: 'field'}, h('label', {for: 'delete-confirm'}, `Type ${name} to confirm`), typed)],
      actions: () => [del]});
    del.addEventListener('click', async () => {
      del.disabled = true;
      try {
        await api.del(`${base}?cascade=${cascade.checked ? 'true' : 'false'}`);
        d.close();
        toast(`Application ${name} deleted`);
        ctx.navigate('/applications');
      } catch (error) {
        d.error(error.message);
        del.disabled = typed.value !== name;
      }
    });
    typed.focus();
  }

  // ---- views ----
  const viewButtons = VIEWS.map(v => h('button', {type: 'button', class: 'button', 'data-view': v.id, onclick: () => {
    if (state.view === v.id) return;
    state.view = v.id;
    ctx.setQuery({view: v.id === 'tree' ? null : v.id}, {replace: false});
    renderView();
  }}, v.label));
  replace(viewSwitch, viewButtons);
  function renderViewSwitch() {
    for (const b of viewButtons) b.setAttribute('aria-pressed', String(b.dataset.view === state.view));
  }
  let historySig = null, listSig = null;
  function renderView() {
    renderViewSwitch();
    const host = state.view === 'history' ? historyHost : state.view === 'list' ? listHost : treeHost;
    if (viewBody.firstChild !== host) replace(viewBody, host);
    if (state.view === 'history') {
      if (!state.app) { replace(historyHost, h('p', {class: 'loading'}, 'Loading…')); return; }
      const sig = JSON.stringify([state.app.status?.history, state.app.status?.sync?.revision,
        state.app.status?.operationState?.operation, Math.floor(Date.now() / 30000)]);
      if (sig !== historySig || !historyHost.firstChild) renderHistory(historyHost, state.app);
      historySig = sig;
      return;
    }
    if (!state.model) {
      replace(host === treeHost ? treeScroll : host, h('p', {class: 'loading'}, 'Loading resources…'));
      return;
    }
    if (state.view === 'list') {
      const sig = JSON.stringify([state.node, [...state.model.nodes.values()].map(n =>
        [n.key, n.sync, n.health?.status, n.createdAt, state.model.parent.get(n.key)])]);
      if (sig !== listSig || !listHost.firstChild) {
        const focused = document.activeElement?.closest?.('tr[data-node]')?.dataset.node;
        renderResourceList(listHost, state.model, state.node, selectNode);
        if (focused) listHost.querySelector(`tr[data-node="${CSS.escape(focused)}"] button`)?.focus();
      }
      listSig = sig;
    }
    else {
      if (!treeScroll.contains(tree.element)) replace(treeScroll, tree.element);
      // A selected Pod inside a group (a deep link): its group opens.
      const owner = state.node && state.model.parent.get(state.node);
      if (owner && state.model.nodes.get(state.node)?.kind === 'Pod') state.expanded.add(owner);
      tree.render(state.model, state.app, state.node, groupPods.checked ? state.expanded : 'all');
      // A deep link's node is scrolled into view once, when it first appears.
      if (state.node && scrolledTo !== state.node) {
        const el = treeScroll.querySelector(`[data-node="${CSS.escape(state.node)}"]`);
        if (el) {
          // The tree box scrolls (not the window): the card's place in the canvas, with a margin.
          const r = el.getBoundingClientRect(), c = tree.element.getBoundingClientRect();
          treeScroll.scrollTo({left: r.left - c.left - 40, top: r.top - c.top - 40});
          scrolledTo = state.node;
        }
      }
    }
  }
  function renderPanel(focus) {
    if (!state.node) {
      if (panel) { panel.destroy(); panel = null; }
      page.classList.remove('with-panel');
      return;
    }
    if (!panel) {
      // The panel sits below the top bar (its height is the shell's business: measured, not assumed).
      page.style.setProperty('--topbar-h', `${document.querySelector('.topbar')?.offsetHeight ?? 0}px`);
      panel = createPanel({appName: name, key: state.node, tab: state.tab, model: state.model,
        onTab: (tab) => { state.tab = tab; ctx.setQuery({tab: tab === 'summary' ? null : tab}); },
        onClose: closePanel, onSelect: selectNode});
      page.append(panel.el);
    } else {
      panel.update(state.model, state.node, state.tab);
    }
    page.classList.add('with-panel');
    if (focus) panel.focus();
  }

  // ---- data ----
  function rebuild() {
    if (!state.app || !state.tree) return;
    state.model = buildModel({app: state.app, tree: state.tree, managed: state.managed?.items || []});
    renderView();
    if (panel) panel.update(state.model, state.node, state.tab);
  }
  // managed-resources is re-read when what it depends on changed: the resources' sync states, the revision, and
  // the resourceVersions of the managed objects in the tree (a live edit). At most one read in flight.
  let managedSig = null, managedLoading = false, managedAgain = false;
  function managedSignature() {
    const resources = (state.app?.status?.resources || []).map(r => [nodeKey(r), r.status, r.health?.status]);
    const keys = new Set(resources.map(r => r[0]));
    const versions = (state.tree?.nodes || []).filter(n => keys.has(nodeKey(n))).map(n => n.resourceVersion);
    return JSON.stringify([state.app?.status?.sync?.revision, resources, versions]);
  }
  async function loadManaged() {
    if (!state.app || unmounted) return;
    const sig = managedSignature();
    if (sig === managedSig) return;
    if (managedLoading) { managedAgain = true; return; }
    managedLoading = true;
    try {
      state.managed = await api.get(`${base}/managed-resources`);
      managedSig = sig;
      rebuild();
    } catch { /* the tree still shows; a later change retries */ }
    managedLoading = false;
    if (managedAgain) { managedAgain = false; loadManaged(); }
  }
  function setApp(app) {
    state.app = app;
    renderHeader();
    if (state.view === 'history') renderView();
    rebuild();
    loadManaged();
  }
  function setTree(tree) {
    state.tree = tree;
    rebuild();
    loadManaged();
  }

  renderHeader();
  renderView();
  renderPanel(false);

  api.get(base).then(setApp, (error) => {
    if (unmounted) return;
    if (error.status === 404) {
      // No such application: nothing to stream, nothing to act on.
      for (const close of closers) close();
      closers.length = 0;
      page.querySelector('.app-toolbar')?.remove();
    }
    replace(header, h('h1', {}, name), h('p', {class: 'banner error', role: 'alert'},
      error.status === 404 ? `Application ${name} not found.` : error.message));
    replace(viewBody, h('p', {}, h('a', {href: '/applications', 'data-link': ''}, 'Back to the applications')));
  });
  api.get(`${base}/resource-tree`).then(setTree, () => {});

  closers.push(subscribe(`/api/v1/stream/applications?name=${enc(name)}`, (batch) => {
    let latest = null;
    for (const frame of batch) {
      const event = frame?.result;
      if (!event?.application || event.application.metadata?.name !== name) continue;
      if (event.type === 'DELETED') { state.deleted = true; latest = event.application; } else { state.deleted = false; latest = event.application; }
    }
    if (latest) setApp(latest);
  }));
  closers.push(subscribe(`/api/v1/stream/applications/${enc(name)}/resource-tree`, (batch) => {
    const last = batch[batch.length - 1]?.result;
    if (last?.nodes) setTree(last);
  }));

  // Escape closes the panel (dialogs close themselves first: a modal dialog receives the key).
  const onKey = (event) => {
    if (event.key !== 'Escape' || !state.node || document.querySelector('dialog[open]')) return;
    if (event.target.closest?.('select')) return;
    closePanel();
  };
  document.addEventListener('keydown', onKey);
  const ageTimer = setInterval(() => { if (state.app && !document.hidden) { renderHeader(); if (state.view === 'history') renderView(); } }, 30000);

  const unmount = () => {
    unmounted = true;
    for (const close of closers) close();
    document.removeEventListener('keydown', onKey);
    clearInterval(ageTimer);
    panel?.destroy();
  };
  // Back/forward within the page: view, node and tab from the URL, without re-mounting.
  unmount.update = (query) => {
    readQuery(query);
    renderView();
    renderPanel(false);
  };
  return unmount;
}
