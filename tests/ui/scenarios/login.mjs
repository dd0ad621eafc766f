// Login and the list (issue 14 acceptance): a page behind login redirects to /login and comes back after it; a wrong
// password shows the server's error; after login the list shows the tetris tile Synced and Healthy, and the summary
// bar counts it; a session that ends (its cookie gone) sends the user to the login page saying so, and Log out ends
// the session. Screenshots: login, list (tiles), table, phone width.
import {step, check, fail, env, login, tile, expectState, expectVisible, screenshots, timing, TIMEOUT} from './lib.mjs';

const app = env('GITMOOR_UI_APP', 'tetris');

export default async function scenario(world) {
  const page = await world.newPage();

  step('a page behind login redirects to the login page, keeping where it was going');
  await page.goto(`/applications/${app}`);
  await page.waitForURL((u) => u.pathname === '/login', {timeout: TIMEOUT})
    .catch(() => fail(`/applications/${app} without a session stayed at ${page.url()} instead of /login`));
  check(new URL(page.url()).searchParams.get('next') === `/applications/${app}`,
    `the login redirect lost the page it came from: ${page.url()}`);
  await expectVisible(page.getByLabel('Password', {exact: true}), 'the password input of the login page');
  await screenshots(page, 'login');

  step('a wrong password shows the error');
  await page.getByLabel('Username', {exact: true}).fill('admin');
  await page.getByLabel('Password', {exact: true}).fill('not-the-password');
  await page.getByRole('button', {name: 'Log in'}).click();
  const alert = page.getByRole('alert');
  await expectVisible(alert, 'the error of a wrong password (role=alert)');
  const message = (await alert.first().innerText()).trim();
  check(message.length > 0, 'the alert of a wrong password is empty');
  check(new URL(page.url()).pathname === '/login', `a wrong password left the login page: ${page.url()}`);
  console.log(`wrong password: "${message}"`);

  step('login with the admin password goes back to the page it came from');
  const started = Date.now();
  await login(page, env('GITMOOR_UI_PASSWORD'));
  check(new URL(page.url()).pathname === `/applications/${app}`, `after login the UI is at ${page.url()}`);
  await expectVisible(page.locator('h1', {hasText: app}), `the application page header of ${app}`);
  timing('login-to-app-page', Date.now() - started);

  step('the list shows the app Synced and Healthy');
  const listStarted = Date.now();
  await page.goto('/applications');
  const t = tile(page, app);
  await expectVisible(t, `the tile of ${app}`);
  timing('list-first-tile', Date.now() - listStarted);
  await expectState(t, 'sync', 'Synced', `the tile of ${app}`);
  await expectState(t, 'health', 'Healthy', `the tile of ${app}`);
  await expectVisible(t.getByRole('link', {name: app}), `the link to ${app} in its tile`);
  await expectVisible(t.getByRole('button', {name: `Refresh ${app}`}), `the Refresh button of ${app}`);
  await expectVisible(t.getByRole('button', {name: `Sync ${app}`}), `the Sync button of ${app}`);
  const summary = page.getByRole('region', {name: 'Summary'});
  await expectVisible(summary, 'the summary bar');
  const summaryText = await summary.innerText();
  check(/Synced/.test(summaryText) && /Healthy/.test(summaryText), `the summary bar does not count Synced and Healthy: ${summaryText}`);
  // Icon and text, never colour alone.
  check((await t.locator('.state-sync .state-text').first().innerText()).includes('Synced'), 'the sync badge has no text');
  await screenshots(page, 'list');

  step('the table view');
  await page.getByRole('button', {name: 'Table'}).click();
  await expectVisible(page.locator(`tr[data-app="${app}"]`), `the table row of ${app}`);
  check(new URL(page.url()).searchParams.get('view') === 'table', `the table view is not in the URL: ${page.url()}`);
  await screenshots(page, 'list-table');

  step('the phone width');
  await page.setViewportSize({width: 390, height: 844});
  await page.getByRole('button', {name: 'Tiles'}).click();
  await expectVisible(tile(page, app), `the tile of ${app} at phone width`);
  await screenshots(page, 'list-phone');
  await page.setViewportSize({width: 1280, height: 720});

  step('a session that ended: the next request goes to the login page, which says why');
  await page.context().clearCookies();
  await tile(page, app).getByRole('button', {name: `Refresh ${app}`}).click();
  await page.waitForURL((u) => u.pathname === '/login' && u.searchParams.get('reason') === 'expired', {timeout: TIMEOUT})
    .catch(() => fail(`a request without a session did not lead to /login?reason=expired: ${page.url()}`));
  await expectVisible(page.getByRole('status').filter({hasText: 'Your session has expired'}),
    'the message "Your session has expired. Log in again."');
  await login(page, env('GITMOOR_UI_PASSWORD'));
  await expectVisible(tile(page, app), `the tile of ${app} after logging in again`);

  step('log out');
  await page.getByRole('button', {name: 'Log out'}).click();
  await page.waitForURL((u) => u.pathname === '/login', {timeout: TIMEOUT})
    .catch(() => fail(`Log out did not lead to the login page: ${page.url()}`));
  await page.goto('/applications');
  await page.waitForURL((u) => u.pathname === '/login', {timeout: TIMEOUT})
    .catch(() => fail(`after Log out /applications did not redirect to the login page: ${page.url()}`));
}
