// Commits (issue 14 acceptance): an image-tag commit makes a history entry appear with its commit message, and the
// game-backend Pods roll (new Pods of a new ReplicaSet replace the old ones in the tree), with no reload. Then a
// commit whose message is HTML (`<img src=x onerror=...>`) renders as text in the header and the history, and no
// script runs. Screenshots: history, history-html-message.
import {step, check, fail, env, login, expectVisible, screenshots, timing, commitAndPush, waitUntil} from './lib.mjs';

const app = env('GITMOOR_UI_APP', 'tetris');
const ns = env('GITMOOR_UI_NAMESPACE', 'game');
const XSS = '<img src=x onerror="window.__xss=1">';

const podKeys = (page) => page.locator(`[data-node^="/Pod/${ns}/game-backend-"]`).evaluateAll(
  (els) => els.map((e) => e.getAttribute('data-node')));

export default async function scenario(world) {
  const page = await world.newPage();
  await login(page, env('GITMOOR_UI_PASSWORD'));
  await page.goto(`/applications/${app}?view=tree`);
  await expectVisible(page.locator(`[data-node="apps/Deployment/${ns}/game-backend"]`), 'the game-backend node');
  await waitUntil(async () => (await podKeys(page)).length === 2)
    .catch(() => fail('the tree does not show the 2 game-backend Pods before the commit'));
  const podsBefore = await podKeys(page);

  step('an image-tag commit');
  const message = 'tetris: game-backend 0.2.0';
  const started = Date.now();
  const commit = await commitAndPush(message, 'helm/tetris/values.yaml', (text) =>
    text.replace(/^(image:\n  repository: [^\n]+\n  tag: )"0\.1\.0"/m, '$1"0.2.0"'));
  console.log(`pushed ${commit.slice(0, 12)}: ${message}`);

  step('the Pods roll');
  await waitUntil(async () => {
    const now = await podKeys(page);
    return now.length >= 2 && now.every((k) => !podsBefore.includes(k));
  }, 90000).catch(async () => fail(`the game-backend Pods did not roll: before ${JSON.stringify(podsBefore)}, ` +
    `now ${JSON.stringify(await podKeys(page))}`));
  timing('commit-to-pods-rolled', Date.now() - started);
  const rsKeys = await page.locator(`[data-node^="apps/ReplicaSet/${ns}/game-backend-"]`).count();
  check(rsKeys >= 1, 'no ReplicaSet of game-backend in the tree after the roll');

  step('the history entry with the commit message');
  await page.getByRole('button', {name: 'History', exact: true}).click();
  const row = page.locator('tr[data-history-id]', {hasText: message});
  await expectVisible(row, `a history row with "${message}"`, 60000);
  timing('commit-to-history-row', Date.now() - started);
  const rowText = await row.first().innerText();
  check(rowText.includes(commit.slice(0, 7)), `the history row does not show the short SHA ${commit.slice(0, 7)}: ${rowText}`);
  check(rowText.includes('Ada Lovelace'), `the history row does not show the author: ${rowText}`);
  await expectVisible(row.getByRole('button', {name: 'Rollback'}), 'the Rollback button of the row');
  await screenshots(page, 'history');

  step('a commit message holding HTML stays text');
  const xssCommit = await commitAndPush(XSS, 'helm/tetris/values.yaml', (text) =>
    text.replace(/^(image:\n  repository: [^\n]+\n  tag: )"0\.2\.0"/m, '$1"0.2.1"'));
  const xssRow = page.locator('tr[data-history-id]', {hasText: XSS});
  await expectVisible(xssRow, 'the history row of the HTML commit message, as text', 90000);
  await expectVisible(page.locator('section.app-header', {hasText: XSS}), 'the HTML commit message as text in the header');
  check(await page.evaluate(() => window.__xss === undefined), 'the commit message ran a script (window.__xss is set)');
  check(await page.evaluate(() => document.querySelector('img[src="x"]') === null),
    'the commit message became an <img> element');
  await screenshots(page, 'history-html-message');
  // The list's tile shows the commit too (where the UI shows a message there); no script ran on the list either.
  await page.goto('/applications');
  await page.waitForTimeout(500);
  check(await page.evaluate(() => window.__xss === undefined && !document.querySelector('img[src="x"]')),
    'the list page ran the commit message');
  console.log(`the HTML message of ${xssCommit.slice(0, 12)} rendered as text`);
}
