// The resource tree: a left-to-right graph, app → managed resources → owned children (ReplicaSet → Pods), drawn
// as HTML node cards (buttons: keyboard reachable, click opens the resource panel) over an SVG of edges. Columns
// are depths; rows are packed so each subtree takes a block of rows and a parent sits level with its first child.
// Live updates re-use the cards (keyed by data-node): only what changed is redrawn, nothing jumps when the
// structure did not change.
import {h, replace, clear} from './dom.js';
import {healthBadge, syncBadge} from './status.js';
import {shortKind, infoValue, podPhase, podsUnder} from './resource_model.js';

const NODE_H = 58, ROW_H = 72, PAD = 8;
// Card width and column gap: narrower at phone width (the canvas scrolls horizontally either way). app.css reads
// the width from --node-w.
const narrow = window.matchMedia('(max-width: 640px)');
let NODE_W = 264, COL_GAP = 64;
function measure() {
  NODE_W = narrow.matches ? 210 : 264;
  COL_GAP = narrow.matches ? 36 : 64;
}
const GROUP_AT = 6;  // an owner with this many Pods or more shows them as one expandable group node

const SVG = 'svg:';

// layout(model, appName, expanded: Set of owner keys whose Pods show one by one, or 'all') → {items: [{key, type: 'app'|'node'|'group', col, row, node?, pods?}],
// edges: [{from, to, dashed}]}
export function layout(model, appName, expanded) {
  const items = [];
  const edges = [];
  const placed = new Map();  // key → item (Pods inside a group map to the group's item)
  const appKey = `app:${appName}`;
  const appItem = {key: appKey, type: 'app', col: 0, row: 0};
  items.push(appItem);
  placed.set(appKey, appItem);

  // Returns the next free row after the subtree of `key` placed at (col, row).
  const place = (key, col, row, parentKey) => {
    const node = model.nodes.get(key);
    const item = {key, type: 'node', col, row, node};
    items.push(item);
    placed.set(key, item);
    edges.push({from: parentKey, to: key, dashed: false});
    const kids = model.children.get(key) || [];
    const pods = kids.filter(k => model.nodes.get(k).kind === 'Pod');
    let next = row;
    if (pods.length >= GROUP_AT && expanded !== 'all' && !expanded.has(key)) {
      const groupKey = `group:${key}`;
      const group = {key: groupKey, type: 'group', owner: key, col: col + 1, row: next,
        pods: pods.map(k => model.nodes.get(k))};
      items.push(group);
      for (const k of pods) placed.set(k, group);
      placed.set(groupKey, group);
      edges.push({from: key, to: groupKey, dashed: false});
      next += 1;
      for (const k of kids) if (!pods.includes(k)) next = place(k, col + 1, next, key);
    } else {
      for (const k of kids) next = place(k, col + 1, next, key);
    }
    return Math.max(row + 1, next);
  };
  let row = 0;
  for (const key of model.roots) row = place(key, 1, row, appKey);

  // Services → the Pods of the workloads they select (dashed), once per target card.
  const seen = new Set();
  for (const [service, workload] of model.serviceLinks) {
    if (!placed.has(service)) continue;
    for (const pod of podsUnder(model, workload)) {
      const target = placed.get(pod.key);
      if (!target) continue;
      const id = `${service}→${target.key}`;
      if (seen.has(id)) continue;
      seen.add(id);
      edges.push({from: service, to: target.key, dashed: true});
    }
  }
  return {items, edges, rows: Math.max(1, row), cols: Math.max(...items.map(i => i.col)) + 1};
}

const xOf = (col) => PAD + col * (NODE_W + COL_GAP);
const yOf = (row) => PAD + row * ROW_H;

function podStates(node) {
  const ready = infoValue(node, 'Containers');
  const reason = infoValue(node, 'Status Reason');
  return h('span', {class: 'pod-state'},
    h('span', {class: 'pod-phase', 'data-phase': podPhase(node)}, reason || 'Unknown'),
    ready ? h('span', {class: 'pod-ready', title: `${ready} containers ready`}, ready) : null);
}

// Cards are flex boxes: the ' ' between parts does not render, but keeps words apart in the accessible name and
// the text ("game-backend deploy Healthy Synced").
const spaced = (parts) => parts.filter(Boolean).flatMap((p, i) => (i ? [' ', p] : [p]));

function nodeContent(item, appName, app) {
  return spaced(nodeParts(item, appName, app).map(p => (p?.classList?.contains('node-states')
    ? h('span', {class: 'node-states'}, spaced([...p.childNodes])) : p)));
}

function nodeParts(item, appName, app) {
  if (item.type === 'app') {
    const status = app?.status || {};
    return [
      h('span', {class: 'node-name', title: appName}, appName),
      h('span', {class: 'node-states'}, h('span', {class: 'kind-badge'}, 'app'),
        healthBadge(status.health?.status), syncBadge(status.sync?.status))];
  }
  if (item.type === 'group') {
    const counts = new Map();
    for (const p of item.pods) counts.set(podPhase(p), (counts.get(podPhase(p)) || 0) + 1);
    return [
      h('span', {class: 'node-name'}, h('span', {class: 'group-count'}, String(item.pods.length)), ' Pods'),
      h('span', {class: 'node-states'}, h('span', {class: 'kind-badge'}, 'pods'), [...counts].map(([phase, n]) =>
        h('span', {class: 'pod-phase', 'data-phase': phase}, `${n} ${phase}`)))];
  }
  const n = item.node;
  return [
    h('span', {class: 'node-name', title: n.name}, n.name),
    h('span', {class: 'node-states'},
      h('span', {class: 'kind-badge', title: n.kind}, shortKind(n.kind)),
      healthBadge(n.health?.status),
      n.managed ? syncBadge(n.sync || 'Unknown') : null,
      n.kind === 'Pod' ? podStates(n) : null)];
}

function signature(item, app) {
  if (item.type === 'app') return JSON.stringify([app?.status?.health?.status, app?.status?.sync?.status]);
  if (item.type === 'group') return JSON.stringify(item.pods.map(p => [p.name, podPhase(p)]));
  const n = item.node;
  return JSON.stringify([n.health, n.sync, n.managed, n.info]);
}

// createTree(container, {appName, onSelect(key), onToggleGroup(ownerKey)}) → {render(model, app, selectedKey,
// expanded)}
export function createTree(container, {appName, onSelect, onToggleGroup}) {
  const canvas = h('div', {class: 'tree-canvas'});
  const svg = h(`${SVG}svg`, {class: 'tree-edges', 'aria-hidden': 'true'});
  canvas.append(svg);
  replace(container, canvas);
  const cards = new Map();  // key → {el, sig}

  function card(item, app) {
    const attrs = {type: 'button', class: ['tree-node', `tree-${item.type}`]};
    if (item.type === 'node') {
      const n = item.node;
      Object.assign(attrs, {'data-node': n.key, 'data-kind': n.kind, 'data-health': n.health?.status || 'Unknown',
        'data-sync': n.managed ? (n.sync || 'Unknown') : null, 'data-managed': n.managed ? 'true' : null,
        'data-phase': n.kind === 'Pod' ? podPhase(n) : null,
        onclick: () => onSelect(n.key)});
    } else if (item.type === 'group') {
      const phases = item.pods.map(podPhase);
      const worst = ['failed', 'pending', 'unknown', 'terminating', 'running', 'succeeded'].find(p => phases.includes(p));
      Object.assign(attrs, {'data-node-group': item.owner, 'data-count': String(item.pods.length), 'data-phase': worst,
        'aria-expanded': 'false', title: 'Show each Pod', onclick: () => onToggleGroup(item.owner)});
    } else {
      Object.assign(attrs, {'data-app-node': appName, title: 'The application'});
    }
    // The app node opens nothing (the header is the app's summary): a plain box, not a button.
    if (item.type === 'app') { delete attrs.type; return h('div', attrs, nodeContent(item, appName, app)); }
    return h('button', attrs, nodeContent(item, appName, app));
  }

  let last = null;
  narrow.addEventListener('change', () => { if (last && canvas.isConnected) render(...last); });

  function render(model, app, selectedKey, expanded) {
    last = [model, app, selectedKey, expanded];
    measure();
    canvas.style.setProperty('--node-w', `${NODE_W}px`);
    const {items, edges, rows, cols} = layout(model, appName, expanded);
    const width = PAD * 2 + cols * NODE_W + (cols - 1) * COL_GAP;
    const height = PAD * 2 + rows * ROW_H - (ROW_H - NODE_H);
    canvas.style.setProperty('--tree-w', `${width}px`);
    canvas.style.setProperty('--tree-h', `${height}px`);
    svg.setAttribute('width', width);
    svg.setAttribute('height', height);
    svg.setAttribute('viewBox', `0 0 ${width} ${height}`);

    const keep = new Set();
    const byKey = new Map();
    let previous = null;
    for (const item of items) {
      keep.add(item.key);
      byKey.set(item.key, item);
      const sig = signature(item, app);
      let entry = cards.get(item.key);
      if (!entry || entry.sig !== sig || entry.type !== item.type) {
        const el = card(item, app);
        if (entry) entry.el.replaceWith(el); else canvas.append(el);
        const hadFocus = entry && document.activeElement === entry.el;
        entry = {el, sig, type: item.type};
        cards.set(item.key, entry);
        if (hadFocus) el.focus();
      }
      entry.el.style.setProperty('--x', `${xOf(item.col)}px`);
      entry.el.style.setProperty('--y', `${yOf(item.row)}px`);
      entry.el.classList.toggle('selected', item.key === selectedKey);
      if (item.key === selectedKey) entry.el.setAttribute('aria-current', 'true');
      else entry.el.removeAttribute('aria-current');
      // Keep DOM order = visual order (tab order follows the graph, column by column within a block).
      if (previous && previous.nextSibling !== entry.el) previous.after(entry.el);
      else if (!previous && svg.nextSibling !== entry.el) svg.after(entry.el);
      previous = entry.el;
    }
    for (const [key, entry] of cards) {
      if (!keep.has(key)) { entry.el.remove(); cards.delete(key); }
    }

    clear(svg);
    for (const e of edges) {
      const a = byKey.get(e.from), b = byKey.get(e.to);
      if (!a || !b) continue;
      const x1 = xOf(a.col) + NODE_W, y1 = yOf(a.row) + NODE_H / 2;
      const x2 = xOf(b.col), y2 = yOf(b.row) + NODE_H / 2;
      const bend = Math.max(24, (x2 - x1) / 2);
      svg.append(h(`${SVG}path`, {class: ['tree-edge', e.dashed && 'tree-edge-link'],
        d: `M${x1},${y1} C${x1 + bend},${y1} ${x2 - bend},${y2} ${x2},${y2}`,
        'data-from': e.from, 'data-to': e.to}));
    }
  }
  return {render, element: canvas};
}
