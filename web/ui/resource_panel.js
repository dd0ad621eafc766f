// The resource panel: <aside role="dialog" aria-label="<Kind> <name>"> beside the tree, with tabs Summary, Live
// manifest, Desired manifest, Diff, Events and (Pods and workloads) Logs. Its node and tab live in the URL
// (?node=<key>&tab=diff), so a deep link opens it. Manifests come from managed-resources (Git's resources: live,
// target, normalized and predicted states; Secret values arrive masked and are shown as they arrive) or, for owned
// children, from GET .../resource. Everything is rendered as text.
import {h, replace, clear} from './dom.js';
import {api, enc} from './api.js';
import {healthBadge, syncBadge} from './status.js';
import {age, localTime} from './format.js';
import {toYaml, parseState} from './yaml.js';
import {diffLines, hasChanges, renderUnified, renderSideBySide} from './diff.js';
import {parseKey, hasLogs, podsUnder, managedAncestor} from './resource_model.js';
import {streamLogs} from './logs.js';

export const TABS = [
  {id: 'summary', label: 'Summary'},
  {id: 'live', label: 'Live manifest'},
  {id: 'desired', label: 'Desired manifest'},
  {id: 'diff', label: 'Diff'},
  {id: 'events', label: 'Events'},
  {id: 'logs', label: 'Logs', when: (kind) => hasLogs(kind)},
];

let diffMode = 'unified';  // remembered across panels while the page is open

const field = (label, ...value) => [h('dt', {}, label), h('dd', {}, ...value)];

function manifestBlock(object, emptyText) {
  if (!object) return h('p', {class: 'muted'}, emptyText);
  return h('pre', {class: 'manifest', tabindex: '0', 'aria-label': 'Manifest'}, toYaml(object));
}

// The containers of a Pod object or of a workload's pod template.
function containersOf(object) {
  if (!object) return [];
  let spec = object.spec;
  if (object.kind === 'CronJob') spec = spec?.jobTemplate?.spec;
  if (object.kind !== 'Pod') spec = spec?.template?.spec;
  return (spec?.containers || []).map(c => c.name).filter(Boolean);
}

// createPanel({appName, key, tab, model, onTab(tab), onClose(), onSelect(key)}) → {el, update(model, key, tab),
// destroy()}
export function createPanel({appName, key, tab, model, onTab, onClose, onSelect}) {
  let current = {key, tab: tab || 'summary', model};
  let stopLogs = () => {};
  let rendered = {key: null, tab: null, sig: null, hadModel: false};
  const childManifests = new Map();  // key → Promise<object|Error>

  const title = h('h2', {class: 'panel-title'});
  const tabList = h('div', {class: 'tabs', role: 'tablist', 'aria-label': 'Resource views'});
  const body = h('div', {class: 'panel-body', role: 'tabpanel', tabindex: '-1'});
  const closeButton = h('button', {type: 'button', class: 'button ghost panel-close', onclick: () => onClose()},
    h('span', {'aria-hidden': 'true'}, '✕ '), 'Close');
  const el = h('aside', {class: 'resource-panel', role: 'dialog', 'aria-modal': 'false'},
    h('header', {class: 'panel-header'}, title, closeButton), tabList, body);

  const node = () => current.model?.nodes.get(current.key) || null;
  const parsed = () => parseKey(current.key) || {kind: '', name: current.key, namespace: '', group: ''};
  const tabs = () => TABS.filter(t => !t.when || t.when(parsed().kind));

  function renderTabs() {
    const list = tabs();
    if (!list.some(t => t.id === current.tab)) current.tab = 'summary';
    replace(tabList, list.map(t => h('button', {type: 'button', role: 'tab', id: `tab-${t.id}`,
      'aria-selected': String(t.id === current.tab), 'aria-controls': 'resource-tabpanel',
      tabindex: t.id === current.tab ? '0' : '-1', 'data-tab': t.id,
      onclick: () => selectTab(t.id)}, t.label)));
    body.id = 'resource-tabpanel';
    body.setAttribute('aria-labelledby', `tab-${current.tab}`);
  }
  // Arrow keys move between tabs (and select them), Home/End jump, as the ARIA tabs pattern does.
  tabList.addEventListener('keydown', (event) => {
    const list = tabs();
    const index = list.findIndex(t => t.id === current.tab);
    let next = null;
    if (event.key === 'ArrowRight') next = list[(index + 1) % list.length];
    else if (event.key === 'ArrowLeft') next = list[(index - 1 + list.length) % list.length];
    else if (event.key === 'Home') next = list[0];
    else if (event.key === 'End') next = list[list.length - 1];
    if (!next) return;
    event.preventDefault();
    selectTab(next.id);
    tabList.querySelector(`[data-tab="${next.id}"]`)?.focus();
  });

  function selectTab(id) {
    if (id === current.tab) return;
    current.tab = id;
    onTab(id);
    render(true);
  }

  const hasManaged = () => Boolean(current.model?.managedItems.size);
  const managedItem = () => current.model?.managedItems.get(current.key) || null;

  // The live object of a child resource (not in managed-resources): GET .../resource → {manifest}.
  function childManifest(refresh) {
    const n = node();
    const p = parsed();
    if (!refresh && childManifests.has(current.key)) return childManifests.get(current.key);
    const q = new URLSearchParams({namespace: p.namespace, resourceName: p.name, kind: p.kind, group: p.group,
      version: n?.version || ''});
    const promise = api.get(`/api/v1/applications/${enc(appName)}/resource?${q}`)
      .then(r => parseState(r?.manifest))
      .catch(error => error);
    childManifests.set(current.key, promise);
    return promise;
  }

  function summary() {
    const n = node();
    const p = parsed();
    if (!n) return h('p', {class: 'muted'}, current.model ? 'This resource is not in the application’s tree (any more).' : 'Loading…');
    const owner = current.model.parent.get(current.key);
    const info = (n.info || []).filter(i => i.name);
    return h('dl', {class: 'fields'},
      field('Kind', n.group ? `${n.kind} (${n.group}/${n.version || ''})` : `${n.kind} (${n.version || 'v1'})`),
      field('Name', n.name),
      field('Namespace', p.namespace || '— (cluster-scoped)'),
      n.createdAt ? field('Created', `${localTime(n.createdAt)} (${age(n.createdAt)} ago)`) : null,
      field('Health', healthBadge(n.health?.status), n.health?.message ? h('div', {class: 'health-message'}, n.health.message) : null),
      n.managed ? field('Sync', syncBadge(n.sync || 'Unknown')) : field('Managed', 'No — owned by ',
        owner ? h('button', {type: 'button', class: 'link-button', onclick: () => onSelect(owner)},
          `${current.model.nodes.get(owner)?.kind || ''} ${current.model.nodes.get(owner)?.name || owner}`) : 'another resource'),
      (n.images || []).length ? field('Images', h('ul', {class: 'plain'}, n.images.map(i => h('li', {class: 'mono'}, i)))) : null,
      info.map(i => field(i.name, i.value)));
  }

  async function liveManifest(target) {
    const item = managedItem();
    if (item) { replace(target, manifestBlock(parseState(item.liveState), 'Not in the cluster (Missing).')); return; }
    if (!current.model) { replace(target, h('p', {class: 'muted'}, 'Loading…')); return; }
    replace(target, h('p', {class: 'muted'}, 'Loading…'));
    const result = await childManifest(false);
    if (!target.isConnected) return;
    if (result instanceof Error) {
      replace(target, h('p', {class: result.status === 404 ? 'muted' : 'banner error', role: result.status === 404 ? null : 'alert'},
        result.status === 404 ? `The live manifest is not available: ${result.message}` : result.message));
    } else {
      replace(target, manifestBlock(result, 'No manifest.'));
    }
  }

  function desiredManifest() {
    const item = managedItem();
    if (item) return manifestBlock(parseState(item.targetState), 'Not in Git: the resource would be pruned.');
    if (!current.model) return h('p', {class: 'muted'}, 'Loading…');
    return h('p', {class: 'muted'}, 'Not in Git: this resource is created by its owner, so it has no desired manifest.');
  }

  function diff() {
    const item = managedItem();
    if (!item) {
      return h('p', {class: 'muted'}, current.model ? 'Not in Git: only the application’s own resources have a diff.' : 'Loading…');
    }
    // Argo CD's pair: the normalized live object against the predicted one (what applying Git would give);
    // without them (Missing or extra resources), the live object against the target.
    const live = parseState(item.normalizedLiveState) ?? parseState(item.liveState);
    const desired = parseState(item.predictedLiveState) ?? parseState(item.targetState);
    const ops = diffLines(live ? toYaml(live) : '', desired ? toYaml(desired) : '');
    const view = h('div', {class: 'diff-view'});
    const show = () => replace(view, hasChanges(ops)
      ? (diffMode === 'unified' ? renderUnified(ops) : renderSideBySide(ops))
      : h('p', {class: 'banner ok'}, 'No differences'));
    const modeButton = (mode, label) => h('button', {type: 'button', class: 'button', 'aria-pressed': String(diffMode === mode),
      onclick: (event) => {
        diffMode = mode;
        for (const b of event.currentTarget.parentElement.children) b.setAttribute('aria-pressed', String(b === event.currentTarget));
        show();
      }}, label);
    show();
    return h('div', {},
      h('div', {class: 'diff-toolbar'},
        h('div', {class: 'segmented', role: 'group', 'aria-label': 'Diff layout'},
          modeButton('unified', 'Unified'), modeButton('split', 'Side by side')),
        h('span', {class: 'muted diff-legend'}, '− live   + desired')),
      view);
  }

  async function events(target) {
    const n = node();
    const p = parsed();
    replace(target, h('p', {class: 'muted'}, 'Loading events…'));
    const q = new URLSearchParams({resourceName: p.name, resourceNamespace: p.namespace});
    if (n?.uid) q.set('resourceUID', n.uid);
    try {
      const result = await api.get(`/api/v1/applications/${enc(appName)}/events?${q}`);
      if (!target.isConnected) return;
      const items = (result?.items || []).filter(e => !e.involvedObject?.kind || e.involvedObject.kind === p.kind);
      const last = (e) => e.lastTimestamp || e.eventTime || e.firstTimestamp || e.metadata?.creationTimestamp || '';
      items.sort((a, b) => last(b).localeCompare(last(a)));
      const reload = h('button', {type: 'button', class: 'button', onclick: () => events(target)}, 'Reload events');
      if (!items.length) { replace(target, h('p', {class: 'muted'}, 'No events.'), reload); return; }
      replace(target, reload, h('div', {class: 'table-scroll'}, h('table', {class: 'events'},
        h('thead', {}, h('tr', {}, ['Type', 'Reason', 'Message', 'Count', 'Last seen'].map(t => h('th', {scope: 'col'}, t)))),
        h('tbody', {}, items.map(e => h('tr', {'data-event-type': e.type || ''},
          h('td', {class: e.type === 'Warning' ? 'event-warning' : null}, e.type || ''),
          h('td', {}, e.reason || ''),
          h('td', {class: 'event-message'}, e.message || ''),
          h('td', {}, String(e.count || e.series?.count || 1)),
          h('td', {title: localTime(last(e))}, last(e) ? `${age(last(e))} ago` : '')))))));
    } catch (error) {
      if (target.isConnected) replace(target, h('p', {class: 'banner error', role: 'alert'}, error.message));
    }
  }

  async function logs(target) {
    stopLogs();
    const n = node();
    const p = parsed();
    const model = current.model;
    const pods = p.kind === 'Pod' ? [n || {name: p.name, kind: 'Pod'}] : (model ? podsUnder(model, current.key) : []);
    if (!pods.length) { replace(target, h('p', {class: 'muted'}, model ? 'No Pods to show logs of.' : 'Loading…')); return; }
    const podSelect = h('select', {id: 'log-pod'}, pods.map(pod => h('option', {value: pod.name}, pod.name)));
    const containerSelect = h('select', {id: 'log-container'});
    const tailSelect = h('select', {id: 'log-tail'}, [100, 500, 1000, 5000].map(v => h('option', {value: String(v), selected: v === 500}, String(v))));
    const follow = h('input', {type: 'checkbox', id: 'log-follow'});
    const state = h('span', {class: 'muted log-state', role: 'status'});
    const output = h('div', {class: 'log-output mono', tabindex: '0', 'aria-label': 'Log lines', 'aria-live': 'off'});

    // Container names: the Pod's own spec when the server gives the object, else the owner's pod template.
    async function loadContainers() {
      let names = [];
      const ancestor = model ? managedAncestor(model, current.key) : null;
      const item = ancestor ? model.managedItems.get(ancestor.key) : null;
      if (item) names = containersOf(parseState(item.liveState) || parseState(item.targetState));
      if (!names.length && p.kind === 'Pod') {
        const object = await childManifest(false);
        if (!(object instanceof Error)) names = containersOf(object);
      }
      const previous = containerSelect.value;
      replace(containerSelect, names.length ? names.map(c => h('option', {value: c}, c)) : h('option', {value: ''}, '(default)'));
      if (names.includes(previous)) containerSelect.value = previous;
    }

    const MAX_LINES = 5000;
    function start() {
      stopLogs();
      clear(output);
      replace(state, follow.checked ? 'Following…' : 'Loading…');
      stopLogs = streamLogs(appName, {podName: podSelect.value, container: containerSelect.value,
        tailLines: Number(tailSelect.value), follow: follow.checked}, {
        onLines(entries) {
          const atBottom = output.scrollTop + output.clientHeight >= output.scrollHeight - 24;
          for (const e of entries) output.append(h('div', {class: 'log-line'}, e.content));
          while (output.childElementCount > MAX_LINES) output.firstElementChild.remove();
          if (atBottom || !follow.checked) output.scrollTop = output.scrollHeight;
          if (!follow.checked) replace(state, `${output.childElementCount} lines`);
        },
        onEnd(error) {
          if (error) replace(state, h('span', {class: 'error-text', role: 'alert'}, error.message));
          else replace(state, follow.checked ? 'Stream ended.' : `${output.childElementCount} lines`);
          if (!error && output.childElementCount === 0) output.append(h('div', {class: 'muted'}, 'No log lines.'));
        },
      });
    }
    podSelect.addEventListener('change', async () => { await loadContainers(); start(); });
    containerSelect.addEventListener('change', start);
    tailSelect.addEventListener('change', start);
    follow.addEventListener('change', start);
    replace(target,
      h('div', {class: 'log-controls'},
        pods.length > 1 || p.kind !== 'Pod' ? h('label', {for: 'log-pod'}, 'Pod', podSelect) : null,
        h('label', {for: 'log-container'}, 'Container', containerSelect),
        h('label', {for: 'log-tail'}, 'Tail lines', tailSelect),
        h('label', {class: 'checkbox'}, follow, 'Follow'),
        state),
      output);
    await loadContainers();
    if (target.isConnected) start();
  }

  // The signature of what the current tab shows: a live update re-renders only when it changed.
  function tabSignature() {
    const item = managedItem();
    const n = node();
    switch (current.tab) {
      case 'summary': return JSON.stringify([n, current.model?.parent.get(current.key)]);
      case 'live': return JSON.stringify([Boolean(current.model), item?.liveState, item ? '' : n?.resourceVersion]);
      case 'desired': return JSON.stringify([Boolean(current.model), item?.targetState]);
      case 'diff': return JSON.stringify([Boolean(current.model), item?.normalizedLiveState, item?.predictedLiveState, item?.liveState, item?.targetState]);
      default: return '';
    }
  }

  function render(force) {
    const p = parsed();
    // Title and tabs change only with the node or the tab (a live update must not take the focus off a tab).
    if (force || rendered.key !== current.key || rendered.tab !== current.tab) {
      el.setAttribute('aria-label', `${p.kind} ${p.name}`);
      replace(title, h('span', {class: 'kind-badge'}, p.kind), ' ', h('span', {class: 'panel-name'}, p.name));
      const focusedTab = document.activeElement?.closest?.('[role=tab]') && tabList.contains(document.activeElement);
      renderTabs();
      if (focusedTab) tabList.querySelector(`[data-tab="${current.tab}"]`)?.focus();
    }
    const sig = tabSignature();
    const sameView = rendered.key === current.key && rendered.tab === current.tab;
    if (!force && sameView) {
      // Events and logs are fetched on demand: a tree update does not restart them (logs follow on their own).
      if (current.tab === 'events') { if (rendered.hadModel || !current.model) return; }
      // Logs restart only when the tree or the manifests (container names) first arrive.
      else if (current.tab === 'logs') { if ((rendered.hadModel || !current.model) && (rendered.hadManaged || !hasManaged())) return; }
      else if (rendered.sig === sig) return;
    }
    stopLogs();
    // A child's live object changed (its resourceVersion in the tree): fetch it again.
    if (sameView && current.tab === 'live') childManifests.delete(current.key);
    rendered = {key: current.key, tab: current.tab, sig, hadModel: Boolean(current.model), hadManaged: hasManaged()};
    const target = h('div', {class: `tab-${current.tab}`});
    replace(body, target);
    switch (current.tab) {
      case 'summary': replace(target, summary()); break;
      case 'live': liveManifest(target); break;
      case 'desired': replace(target, desiredManifest()); break;
      case 'diff': replace(target, diff()); break;
      case 'events': events(target); break;
      case 'logs': logs(target); break;
      default: break;
    }
  }

  render(true);
  return {
    el,
    focus() { closeButton.focus(); },
    update(model, key2 = current.key, tab2 = current.tab) {
      const changedKey = key2 !== current.key;
      if (changedKey) childManifests.clear();
      current = {key: key2, tab: tab2 || 'summary', model};
      render(changedKey);
    },
    destroy() { stopLogs(); el.remove(); },
  };
}

