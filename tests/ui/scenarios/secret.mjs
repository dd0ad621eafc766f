// A Secret's value appears nowhere (issue 14 acceptance): the tetris chart's Secret game-postgres holds a password
// the test chose (GITMOOR_UI_SECRET); after the list, the tree, the Secret's panel (summary, live and desired
// manifests, diff), the Deployment that reads it and the history were shown, neither the value nor its base64 is in
// the page text, the DOM, or any response body the pages received (Playwright's response hook, plus the text the
// page read from its event streams).
import {step, check, env, login, tile, expectVisible, waitUntil} from './lib.mjs';

const app = env('GITMOOR_UI_APP', 'tetris');
const ns = env('GITMOOR_UI_NAMESPACE', 'game');
const secret = env('GITMOOR_UI_SECRET');
check(secret.length >= 12, 'GITMOOR_UI_SECRET is too short to search for');
const needles = [secret, Buffer.from(secret).toString('base64')];

export default async function scenario(world) {
  const page = await world.newPage({record: true});
  const seen = [];  // [what, text]
  const look = async (what) => {
    seen.push([`${what}: DOM`, await page.content()]);
    seen.push([`${what}: page text`, await page.evaluate(() => document.body.innerText)]);
  };
  await login(page, env('GITMOOR_UI_PASSWORD'));

  step('the list');
  await page.goto('/applications');
  await expectVisible(tile(page, app), `the tile of ${app}`);
  await look('list');

  step('the Secret in the tree and its panel');
  const key = `/Secret/${ns}/game-postgres`;
  await page.goto(`/applications/${app}?view=tree`);
  await expectVisible(page.locator(`[data-node="${key}"]`), 'the Secret game-postgres in the tree');
  await look('tree');
  await page.locator(`[data-node="${key}"]`).first().click();
  const panel = page.getByRole('dialog', {name: 'Secret game-postgres'});
  await expectVisible(panel, 'the resource panel of the Secret');
  for (const tab of ['Summary', 'Live manifest', 'Desired manifest', 'Diff']) {
    await panel.getByRole('tab', {name: tab}).click();
    await waitUntil(async () => (await panel.getByRole('tab', {name: tab}).getAttribute('aria-selected')) === 'true');
    await page.waitForTimeout(300);  // the tab's content fetched and shown
    await look(`Secret panel, ${tab}`);
    if (tab === 'Live manifest') {
      const liveText = await panel.innerText();
      check(liveText.includes('password'), `the Secret's live manifest does not show its key "password":\n${liveText}`);
    }
  }

  step('the Deployment that reads it, by deep link');
  await page.goto(`/applications/${app}?node=${encodeURIComponent(`apps/Deployment/${ns}/game-backend`)}&tab=live`);
  await expectVisible(page.getByRole('dialog', {name: 'Deployment game-backend'}), 'the deep-linked Deployment panel');
  await page.waitForTimeout(500);
  await look('Deployment live manifest');

  step('the history');
  await page.goto(`/applications/${app}?view=history`);
  await expectVisible(page.locator('tr[data-history-id]'), 'a history row');
  await look('history');

  step('nothing holds the value');
  const bodies = await world.receivedBodies();
  check(bodies.some((b) => b.url.includes('/managed-resources') || b.url.includes('/resource-tree')),
    `the recorder saw none of the app's resource responses: ${bodies.map((b) => b.url).join(', ')}`);
  check(bodies.some((b) => b.url.includes('/stream/') && b.body.length > 0),
    'the recorder saw no event-stream text');
  for (const {url, body} of bodies) seen.push([`response ${url}`, body]);
  for (const [what, text] of seen) {
    for (const needle of needles) {
      check(!text.includes(needle), `the Secret's value (${needle === secret ? 'plain' : 'base64'}) is in ${what}`);
    }
  }
  console.log(`checked ${seen.length} texts (${bodies.length} responses) for the Secret's value`);
}
