// The application's resources as one model for the tree, the list and the panel: the resource-tree's nodes (live
// objects and their owned children, linked by parentRefs), the app's status.resources (which of them Git manages,
// with their sync and health) and managed-resources (manifests; Service selectors and Pod template labels, which is
// how a Service is linked to its Pods since tree nodes carry no labels).
import {parseState} from './yaml.js';

// The panel's and the tests' key: "<group>/<kind>/<namespace>/<name>" (group "" for core kinds, namespace "" when
// cluster-scoped).
export const nodeKey = (r) => `${r.group || ''}/${r.kind}/${r.namespace || ''}/${r.name}`;

export function parseKey(key) {
  const parts = (key || '').split('/');
  if (parts.length < 4) return null;
  const [group, kind, namespace, ...rest] = parts;
  return {group, kind, namespace, name: rest.join('/')};
}

const SHORT = {
  Deployment: 'deploy', ReplicaSet: 'rs', Pod: 'pod', Service: 'svc', HorizontalPodAutoscaler: 'hpa',
  ConfigMap: 'cm', Secret: 'secret', StatefulSet: 'sts', DaemonSet: 'ds', Job: 'job', CronJob: 'cronjob',
  Ingress: 'ing', Namespace: 'ns', ServiceAccount: 'sa', PersistentVolumeClaim: 'pvc', PersistentVolume: 'pv',
  Role: 'role', RoleBinding: 'rb', ClusterRole: 'crole', ClusterRoleBinding: 'crb', Endpoints: 'ep',
  EndpointSlice: 'eps', NetworkPolicy: 'netpol', PodDisruptionBudget: 'pdb', CustomResourceDefinition: 'crd',
  StorageClass: 'sc', Application: 'app',
};
export const shortKind = (kind) => SHORT[kind] || (kind || '').toLowerCase();

export const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob']);
export const hasLogs = (kind) => kind === 'Pod' || WORKLOADS.has(kind);

// A Pod's info entries by name ("Status Reason", "Containers" "1/1", "Restart Count").
export function infoValue(node, name) {
  return (node?.info || []).find(i => i.name === name)?.value || '';
}

// The phase class of a Pod for colour (always shown with its text too).
export function podPhase(node) {
  const reason = infoValue(node, 'Status Reason');
  if (/^(Running)$/.test(reason)) return 'running';
  if (/^(Succeeded|Completed)$/.test(reason)) return 'succeeded';
  if (/^(Pending|ContainerCreating|PodInitializing|Init:)/.test(reason)) return 'pending';
  if (/^(Terminating)$/.test(reason)) return 'terminating';
  if (/^(Unknown)$/.test(reason) || !reason) return 'unknown';
  return 'failed';  // CrashLoopBackOff, Error, ImagePullBackOff, OOMKilled, ...
}

function selectorMatches(selector, labels) {
  const entries = Object.entries(selector || {});
  return entries.length > 0 && entries.every(([k, v]) => labels?.[k] === v);
}

// The pod template labels of a workload object (CronJob: its job template's).
function templateLabels(object) {
  const spec = object?.kind === 'CronJob' ? object?.spec?.jobTemplate?.spec : object?.spec;
  return spec?.template?.metadata?.labels || null;
}

// build({app, tree, managed}) → {nodes: Map key→node, roots: [key], children: Map key→[key], parent: Map key→key,
// serviceLinks: [[serviceKey, workloadKey]], managedItems: Map key→managed-resources item}
// Each node: the tree node's fields plus key, managed (bool), sync (Synced/OutOfSync for managed ones), health.
export function buildModel({app, tree, managed}) {
  const nodes = new Map();
  const byUid = new Map();
  const statusByKey = new Map();
  for (const r of app?.status?.resources || []) statusByKey.set(nodeKey(r), r);
  const managedItems = new Map();
  for (const item of managed || []) managedItems.set(nodeKey(item), item);

  for (const n of tree?.nodes || []) {
    const key = nodeKey(n);
    const status = statusByKey.get(key);
    const node = {...n, key, managed: Boolean(status), sync: status?.status || '',
      health: n.health || status?.health || null};
    nodes.set(key, node);
    if (n.uid) byUid.set(n.uid, node);
  }
  // Resources Git has and the cluster lacks (Missing) are in status.resources only.
  for (const [key, r] of statusByKey) {
    if (nodes.has(key)) continue;
    nodes.set(key, {group: r.group || '', version: r.version || '', kind: r.kind, namespace: r.namespace || '',
      name: r.name, key, managed: true, sync: r.status || '', health: r.health || {status: 'Missing'},
      parentRefs: [], info: [], images: []});
  }

  const children = new Map();
  const parent = new Map();
  const roots = [];
  for (const node of nodes.values()) {
    const owner = node.managed ? null : (node.parentRefs || []).map(p => byUid.get(p.uid)).find(Boolean);
    if (owner && owner.key !== node.key) {
      parent.set(node.key, owner.key);
      if (!children.has(owner.key)) children.set(owner.key, []);
      children.get(owner.key).push(node.key);
    } else {
      roots.push(node.key);
    }
  }
  const kindRank = (k) => ['Deployment', 'StatefulSet', 'DaemonSet', 'CronJob', 'Job', 'Service', 'Ingress',
    'HorizontalPodAutoscaler', 'ConfigMap', 'Secret'].indexOf(k) >>> 0;
  const order = (a, b) => {
    const x = nodes.get(a), y = nodes.get(b);
    return x.name.localeCompare(y.name) || kindRank(x.kind) - kindRank(y.kind) || x.kind.localeCompare(y.kind) ||
      x.namespace.localeCompare(y.namespace);
  };
  roots.sort(order);
  for (const list of children.values()) list.sort(order);

  // Service → workload links: the Service's selector matches the workload's pod template labels.
  const serviceLinks = [];
  const objects = [];
  for (const [key, item] of managedItems) {
    const object = parseState(item.liveState) || parseState(item.targetState);
    if (object) objects.push({key, item, object});
  }
  for (const s of objects) {
    if (s.item.kind !== 'Service' || s.item.group) continue;
    const selector = s.object.spec?.selector;
    for (const w of objects) {
      if (!WORKLOADS.has(w.item.kind) || w.item.namespace !== s.item.namespace) continue;
      if (selectorMatches(selector, templateLabels(w.object))) serviceLinks.push([s.key, w.key]);
    }
  }
  return {nodes, roots, children, parent, serviceLinks, managedItems};
}

// Every Pod under a node (itself when it is one), depth first.
export function podsUnder(model, key) {
  const out = [];
  const walk = (k) => {
    const n = model.nodes.get(k);
    if (n?.kind === 'Pod' && !n.group) out.push(n);
    for (const c of model.children.get(k) || []) walk(c);
  };
  walk(key);
  return out;
}

// The managed resource a node descends from (itself when managed).
export function managedAncestor(model, key) {
  let k = key;
  while (k && !model.nodes.get(k)?.managed) k = model.parent.get(k);
  return k ? model.nodes.get(k) : null;
}
