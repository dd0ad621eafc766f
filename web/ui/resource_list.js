// The list view of the resource tree: one table row per node (managed resources and their children), the same
// click-through to the resource panel as the tree.
import {h, replace} from './dom.js';
import {healthBadge, syncBadge} from './status.js';
import {age} from './format.js';
import {shortKind} from './resource_model.js';

export function renderResourceList(container, model, selectedKey, onSelect) {
  const rows = [];
  const walk = (key, depth) => {
    const n = model.nodes.get(key);
    rows.push(h('tr', {'data-node': key, 'data-kind': n.kind, 'data-health': n.health?.status || 'Unknown',
      'data-sync': n.managed ? (n.sync || 'Unknown') : null, class: key === selectedKey ? 'selected' : null},
    h('td', {}, h('span', {class: 'kind-badge', title: n.kind}, shortKind(n.kind)), ' ', n.kind),
    h('td', {class: `depth-${Math.min(depth, 4)}`},
      h('button', {type: 'button', class: 'link-button', onclick: () => onSelect(key)}, n.name)),
    h('td', {}, n.namespace || '—'),
    h('td', {}, n.managed ? syncBadge(n.sync || 'Unknown') : h('span', {class: 'muted'}, '—')),
    h('td', {}, healthBadge(n.health?.status)),
    h('td', {title: n.createdAt || ''}, age(n.createdAt))));
    for (const c of model.children.get(key) || []) walk(c, depth + 1);
  };
  for (const key of model.roots) walk(key, 0);
  replace(container, h('div', {class: 'table-scroll'}, h('table', {class: 'resource-list'},
    h('thead', {}, h('tr', {}, ['Kind', 'Name', 'Namespace', 'Sync', 'Health', 'Age'].map(t => h('th', {scope: 'col'}, t)))),
    h('tbody', {}, rows))));
}
