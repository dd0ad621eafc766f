// The Content-Security-Policy holds in the browser: every view (login, list as tiles and table, the application
// page's tree, list and history, the resource panel's tabs, the sync panel) renders with no CSP violation reported
// (Chromium logs "Refused to ..." on the console; lib.mjs fails the scenario on any). The document carries the
// security headers, and an inline script injected on purpose is refused — proof that the policy is enforced and that
// a violation would be seen.
import {step, check, fail, env, login, tile, expectVisible} from './lib.mjs';

const app = env('GITMOOR_UI_APP', 'tetris');
const ns = env('GITMOOR_UI_NAMESPACE', 'game');

export default async function scenario(world) {
  const page = await world.newPage();

  step('the security headers of the document');
  const response = await page.goto('/login');
  const headers = response.headers();
  const csp = headers['content-security-policy'] || '';
  for (const directive of ["default-src 'self'", "script-src 'self'", "frame-ancestors 'none'", "object-src 'none'"]) {
    check(csp.includes(directive), `the document's Content-Security-Policy lacks ${directive}: "${csp}"`);
  }
  check(!/unsafe-inline|unsafe-eval/.test(csp), `the CSP allows inline or eval: "${csp}"`);
  check((headers['x-content-type-options'] || '') === 'nosniff', 'the document has no X-Content-Type-Options: nosniff');
  check(!!headers['referrer-policy'], 'the document has no Referrer-Policy');

  step('every view, with no violation');
  await login(page, env('GITMOOR_UI_PASSWORD'));
  await page.goto('/applications');
  await expectVisible(tile(page, app), `the tile of ${app}`);
  await page.getByRole('button', {name: 'Table'}).click();
  await expectVisible(page.locator(`tr[data-app="${app}"]`), `the table row of ${app}`);
  for (const view of ['tree', 'list', 'history']) {
    await page.goto(`/applications/${app}?view=${view}`);
    await expectVisible(page.locator('h1', {hasText: app}), `the application page (${view})`);
    await page.waitForTimeout(300);
  }
  await page.goto(`/applications/${app}?node=${encodeURIComponent(`apps/Deployment/${ns}/game-backend`)}`);
  const panel = page.getByRole('dialog', {name: 'Deployment game-backend'});
  await expectVisible(panel, 'the Deployment panel');
  for (const tab of ['Summary', 'Live manifest', 'Desired manifest', 'Diff', 'Events', 'Logs']) {
    await panel.getByRole('tab', {name: tab}).click();
    await page.waitForTimeout(300);
  }
  await panel.getByRole('button', {name: 'Close'}).click();
  await page.getByRole('button', {name: 'Sync', exact: true}).first().click();
  await expectVisible(page.getByRole('dialog', {name: `Sync ${app}`}), 'the sync panel');
  await page.keyboard.press('Escape');
  world.checkErrors();

  step('an injected inline script is refused');
  await page.evaluate(() => {
    const s = document.createElement('script');
    s.textContent = 'window.__inline = 1';
    document.body.append(s);
  });
  await page.waitForTimeout(300);
  check(await page.evaluate(() => window.__inline === undefined), 'an inline script ran: the CSP is not enforced');
  const refused = world.errors.filter((e) => e.includes('CSP violation'));
  if (refused.length === 0) fail('the refused inline script was not reported: a CSP violation would go unnoticed');
  world.errors = world.errors.filter((e) => !refused.includes(e));  // the one violation made on purpose
  console.log(`the injected inline script was refused: ${refused[0]}`);
}
