// Drift on an app without selfHeal (issue 14 acceptance): `kubectl scale` of game-frontend makes the list's tile and
// the tree's node go OutOfSync with no reload, measured from kubectl's return to the DOM change (each page polls its
// own DOM every 10 ms and stamps the moment it saw the change); the Diff tab shows spec.replicas; Sync with prune
// from the sync panel brings it back to Synced. Screenshots: diff, sync panel.
import {step, check, fail, env, login, tile, expectState, expectVisible, screenshots, timing, kubectl, waitUntil,
  TIMEOUT} from './lib.mjs';

const app = env('GITMOOR_UI_APP', 'tetris');
const ns = env('GITMOOR_UI_NAMESPACE', 'game');
const key = `apps/Deployment/${ns}/game-frontend`;

// Resolves with the page's clock (ms since the epoch, the same clock as Date.now() here) when `selector`'s sync
// badge first shows `state`.
const whenState = (page, selector, state) => page.waitForFunction(([sel, st]) => {
  const b = document.querySelector(`${sel} .state-sync`) ||
    (document.querySelector(sel)?.getAttribute('data-sync') === st ? document.querySelector(sel) : null);
  const shown = b?.getAttribute('data-state') ?? b?.getAttribute('data-sync');
  return shown === st ? Date.now() : false;
}, [selector, state], {polling: 10, timeout: 30000}).then((handle) => handle.jsonValue());

export default async function scenario(world) {
  const list = await world.newPage();
  await login(list, env('GITMOOR_UI_PASSWORD'));
  await list.goto('/applications');
  await expectState(tile(list, app), 'sync', 'Synced', `the tile of ${app} before the drift`);
  const appPage = await world.newTab(list);
  await appPage.goto(`/applications/${app}?view=tree`);
  const node = appPage.locator(`[data-node="${key}"]`);
  await expectVisible(node, 'the game-frontend node');
  check((await node.first().getAttribute('data-sync')) === 'Synced',
    `the game-frontend node is ${await node.first().getAttribute('data-sync')} before the drift`);

  step('kubectl scale game-frontend to 5');
  // A mark in each page's window: a reload would lose it.
  for (const p of [list, appPage]) await p.evaluate(() => { window.__beforeDrift = true; });
  const tileSeen = whenState(list, `article.app-tile[data-app="${app}"]`, 'OutOfSync');
  const nodeSeen = whenState(appPage, `[data-node="${key}"]`, 'OutOfSync');
  const started = Date.now();
  await kubectl(['-n', ns, 'scale', 'deployment', 'game-frontend', '--replicas=5']);
  const returned = Date.now();
  const [tileAt, nodeAt] = await Promise.all([tileSeen, nodeSeen]).catch(() =>
    fail('the tile or the node did not go OutOfSync within 30 s of kubectl scale'));
  const tileMs = Math.max(0, tileAt - returned);
  const nodeMs = Math.max(0, nodeAt - returned);
  timing('kubectl-scale-command', returned - started);
  timing('drift-to-tile-OutOfSync', tileMs);
  timing('drift-to-node-OutOfSync', nodeMs);
  timing('drift-to-tile-OutOfSync-from-kubectl-start', tileAt - started);
  // The issue demands "in under 1 s, with no reload": the bound is the issue's, measured from kubectl's return (the
  // moment the cluster holds the change) to the DOM showing it. Typical figures are printed above; a loaded CI machine
  // may need GITMOOR_UI_DRIFT_BUDGET_MS (default 1000) raised rather than this check dropped.
  const budget = Number(process.env.GITMOOR_UI_DRIFT_BUDGET_MS || 1000);
  check(tileMs < budget, `the tile went OutOfSync ${tileMs} ms after kubectl scale returned (budget ${budget} ms)`);
  check(nodeMs < budget, `the node went OutOfSync ${nodeMs} ms after kubectl scale returned (budget ${budget} ms)`);
  check(await list.evaluate(() => window.__beforeDrift === true), 'the list page reloaded');
  check(await appPage.evaluate(() => window.__beforeDrift === true), 'the application page reloaded');

  step('the Diff tab shows spec.replicas');
  await node.first().click();
  const panel = appPage.getByRole('dialog', {name: 'Deployment game-frontend'});
  await expectVisible(panel, 'the panel of game-frontend');
  await panel.getByRole('tab', {name: 'Diff'}).click();
  check(new URL(appPage.url()).searchParams.get('tab') === 'diff', `the Diff tab is not in the URL: ${appPage.url()}`);
  const del = panel.locator('.diff-line.del', {hasText: 'replicas'});
  const add = panel.locator('.diff-line.add', {hasText: 'replicas'});
  await expectVisible(del, 'a removed diff line with replicas');
  await expectVisible(add, 'an added diff line with replicas');
  const delText = await del.first().innerText();
  const addText = await add.first().innerText();
  // The live object (5 replicas) against the desired one (2), whichever side the UI puts each on.
  check(/replicas:\s*2/.test(delText + addText) && /replicas:\s*5/.test(delText + addText),
    `the diff of replicas does not show 2 and 5: "${delText}" / "${addText}"`);
  await screenshots(appPage, 'diff');
  await panel.getByRole('button', {name: 'Side by side'}).click();
  await expectVisible(panel.locator('.diff-line', {hasText: 'replicas'}), 'replicas in the side-by-side diff');
  await screenshots(appPage, 'diff-side-by-side');
  await panel.getByRole('button', {name: 'Close'}).click();

  step('Sync with prune from the sync panel');
  await appPage.getByRole('button', {name: 'Sync', exact: true}).first().click();
  const dialog = appPage.getByRole('dialog', {name: `Sync ${app}`});
  await expectVisible(dialog, 'the sync panel');
  for (const option of ['Prune', 'Dry run', 'Force', 'Apply out of sync only']) {
    await expectVisible(dialog.getByRole('checkbox', {name: option, exact: true}), `the sync option ${option}`);
  }
  await expectVisible(dialog.getByRole('checkbox', {name: 'Deployment/game-frontend'}), 'game-frontend in the resource list');
  await dialog.getByRole('checkbox', {name: 'Prune', exact: true}).check();
  await screenshots(appPage, 'sync-panel');
  const syncStarted = Date.now();
  await dialog.getByRole('button', {name: 'Synchronize'}).click();
  await expectState(appPage.locator('section.app-header'), 'sync', 'Synced', 'the header after the sync', 60000);
  timing('sync-click-to-Synced', Date.now() - syncStarted);
  await waitUntil(async () => (await node.first().getAttribute('data-sync')) === 'Synced', TIMEOUT)
    .catch(() => fail('the game-frontend node did not go back to Synced'));
  await expectState(tile(list, app), 'sync', 'Synced', 'the tile after the sync');
  const replicas = (await kubectl(['-n', ns, 'get', 'deployment', 'game-frontend', '-o', 'jsonpath={.spec.replicas}'])).trim();
  check(replicas === '2', `after the sync game-frontend has ${replicas} replicas, expected 2`);
}
