// The resource tree of tetris (issue 14 acceptance): game-backend → ReplicaSet → 2 Pods, game-postgres (StatefulSet)
// → Pod, the Services and the HPA, each node's health the one the API reports; then the logs of a game-backend Pod:
// lines at once, and with Follow new ones (the sandbox's containers write an access-log line every 2 s).
// Screenshots: tree, list view, logs.
import {step, check, fail, env, login, expectVisible, expectAttached, screenshots, timing, waitUntil, TIMEOUT} from './lib.mjs';

const app = env('GITMOOR_UI_APP', 'tetris');
const ns = env('GITMOOR_UI_NAMESPACE', 'game');

const node = (page, key) => page.locator(`[data-node="${key}"]`);
const nodeKeys = (page, prefix) => page.locator(`[data-node^="${prefix}"]`).evaluateAll(
  (els) => els.map((e) => e.getAttribute('data-node')));

export default async function scenario(world) {
  const page = await world.newPage();
  await login(page, env('GITMOOR_UI_PASSWORD'));

  step('the tree');
  const started = Date.now();
  await page.goto(`/applications/${app}?view=tree`);
  const backend = node(page, `apps/Deployment/${ns}/game-backend`);
  await expectVisible(backend, 'the game-backend Deployment node');
  timing('app-page-tree-visible', Date.now() - started);

  // The API's own tree, through the page's session: the health every node must show.
  const tree = await page.evaluate(async (name) => {
    const r = await fetch(`/api/v1/applications/${name}/resource-tree`, {credentials: 'same-origin'});
    return r.json();
  }, app);
  const apiHealth = new Map(tree.nodes.map((n) => [`${n.group || ''}/${n.kind}/${n.namespace || ''}/${n.name}`,
    n.health?.status]));

  const rsKeys = await nodeKeys(page, `apps/ReplicaSet/${ns}/game-backend-`);
  check(rsKeys.length === 1, `game-backend should have one ReplicaSet node, the tree shows ${JSON.stringify(rsKeys)}`);
  const rs = rsKeys[0];
  await expectAttached(page.locator(`[data-from="apps/Deployment/${ns}/game-backend"][data-to="${rs}"]`),
    'the edge game-backend → its ReplicaSet');
  const rsName = rs.split('/').pop();
  await waitUntil(async () => (await nodeKeys(page, `/Pod/${ns}/${rsName}-`)).length === 2, TIMEOUT)
    .catch(async () => fail(`the ReplicaSet ${rsName} should show 2 Pods, the tree shows ` +
      JSON.stringify(await nodeKeys(page, `/Pod/${ns}/`))));
  const backendPods = await nodeKeys(page, `/Pod/${ns}/${rsName}-`);
  for (const pod of backendPods) {
    await expectAttached(page.locator(`[data-from="${rs}"][data-to="${pod}"]`), `the edge ${rs} → ${pod}`);
  }

  await expectVisible(node(page, `apps/StatefulSet/${ns}/game-postgres`), 'the game-postgres StatefulSet node');
  await expectVisible(node(page, `/Pod/${ns}/game-postgres-0`), 'the Pod game-postgres-0');
  await expectAttached(page.locator(`[data-from="apps/StatefulSet/${ns}/game-postgres"][data-to="/Pod/${ns}/game-postgres-0"]`),
    'the edge game-postgres → game-postgres-0');
  for (const service of ['game-backend', 'game-frontend', 'game-postgres', 'game-redis']) {
    await expectVisible(node(page, `/Service/${ns}/${service}`), `the Service ${service}`);
  }
  await expectAttached(page.locator(`[data-from="/Service/${ns}/game-backend"]`), 'the Service game-backend linked to its Pods');
  const hpa = `autoscaling/HorizontalPodAutoscaler/${ns}/game-backend-hpa`;
  await expectVisible(node(page, hpa), 'the HPA game-backend-hpa');

  // Health: what the API says, and for the workloads, their Pods and the HPA, Healthy.
  const mustBeHealthy = [`apps/Deployment/${ns}/game-backend`, rs, ...backendPods, `apps/StatefulSet/${ns}/game-postgres`,
    `/Pod/${ns}/game-postgres-0`, `/Service/${ns}/game-backend`, hpa];
  for (const key of mustBeHealthy) {
    const shown = await node(page, key).first().getAttribute('data-health');
    check(shown === 'Healthy', `the node ${key} shows health ${shown}, expected Healthy`);
  }
  for (const key of await nodeKeys(page, '')) {
    if (!apiHealth.has(key) || !apiHealth.get(key)) continue;
    const shown = await node(page, key).first().getAttribute('data-health');
    check(shown === apiHealth.get(key), `the node ${key} shows health ${shown}, the API says ${apiHealth.get(key)}`);
  }
  const kindText = await backend.first().innerText();
  check(kindText.includes('game-backend'), `the game-backend node does not show its name: ${kindText}`);
  await screenshots(page, 'tree');

  step('the list view beside the tree');
  await page.getByRole('button', {name: 'List', exact: true}).click();
  check(new URL(page.url()).searchParams.get('view') === 'list', `the list view is not in the URL: ${page.url()}`);
  await expectVisible(page.locator(`[data-node="${hpa}"]`), 'the HPA in the list view');
  await screenshots(page, 'resources-list');
  await page.getByRole('button', {name: 'Tree', exact: true}).click();

  step('logs of a game-backend Pod');
  const pod = backendPods[0];
  await node(page, pod).first().click();
  const podName = pod.split('/').pop();
  const panel = page.getByRole('dialog', {name: `Pod ${podName}`});
  await expectVisible(panel, `the resource panel of Pod ${podName}`);
  check(new URL(page.url()).searchParams.get('node') === pod, `the selected node is not in the URL: ${page.url()}`);
  const logsStarted = Date.now();
  await panel.getByRole('tab', {name: 'Logs'}).click();
  const lines = panel.locator('.log-line');
  await expectVisible(lines, `log lines of ${podName}`);
  timing('logs-first-lines', Date.now() - logsStarted);
  await expectVisible(panel.getByLabel('Container'), 'the container picker');
  const follow = panel.getByRole('checkbox', {name: 'Follow'});
  if (!(await follow.isChecked())) await follow.check();
  await expectVisible(lines, `log lines of ${podName} while following`);
  const seen = new Set(await lines.allInnerTexts());
  const followStarted = Date.now();
  await waitUntil(async () => (await lines.allInnerTexts()).some((line) => !seen.has(line)), 15000)
    .catch(async () => fail(`Follow received no new log line in 15 s (${await lines.count()} lines, ${seen.size} before)`));
  timing('logs-follow-new-line', Date.now() - followStarted);
  console.log(`log lines: ${seen.size} when following started, then ${await lines.count()}; last: ` +
    await lines.last().innerText());
  await screenshots(page, 'logs');
  await panel.getByRole('button', {name: 'Close'}).click();
  await page.waitForURL((u) => !u.searchParams.has('node'), {timeout: TIMEOUT})
    .catch(() => fail(`closing the panel left node= in the URL: ${page.url()}`));
}
