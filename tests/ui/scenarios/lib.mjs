// Shared helpers of the browser scenarios (tests/ui/scenarios/*.mjs). A scenario is a Node script run by the C++ test
// (tests/ui/test_ui_*.cpp) or the UI bench after they set up the world; it reads its inputs from the environment:
//   GITMOOR_UI_URL          base URL of the UI (the real `gitmoor serve`, which serves / and /assets/<hash>/...)
//   GITMOOR_UI_PASSWORD     the admin password (Secret gitmoor-initial-admin-secret)
//   GITMOOR_UI_SCREENSHOTS  folder for the screenshots (<build>/ui-screenshots)
//   GITMOOR_CHROMIUM        the browser (default /usr/bin/chromium, Debian's)
//   KUBECONFIG, GITMOOR_KUBECTL, GITMOOR_UI_REPO (the deploy repository's working clone), GITMOOR_UI_APP,
//   GITMOOR_UI_NAMESPACE, GITMOOR_UI_SECRET: what the scenarios of the tetris world act on.
// A scenario prints `timing <what> <ms>` lines, and exits non-zero with a message naming what failed. Any page error
// (an uncaught exception in the UI) and any CSP violation fails it.
import {createRequire} from 'node:module';
import {execFile} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

// playwright-core from tests/node_modules (installed by scripts/setup.sh), resolved relative to this file so the
// scenario runs from any working directory.
const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '..', '..', 'package.json'));
const {chromium} = require('playwright-core');

export const env = (name, fallback) => {
  const value = process.env[name] ?? fallback;
  if (value === undefined) fail(`the environment variable ${name} is not set (the C++ test passes it)`);
  return value;
};

// Generous: the timeouts only bound a hung scenario; what is measured is printed as a timing.
export const TIMEOUT = 20000;
// One scenario's bound (the C++ side kills the whole run at 240 s).
export const SCENARIO_LIMIT = Number(process.env.GITMOOR_UI_SCENARIO_LIMIT_MS || 150000);

export class ScenarioError extends Error {}
export function fail(message) { throw new ScenarioError(message); }
export function check(condition, message) { if (!condition) fail(message); }

export function timing(what, ms) {
  console.log(`timing ${what} ${Math.round(ms * 10) / 10}`);
}
const startedAt = Date.now();
export function step(text) { console.log(`-- [${((Date.now() - startedAt) / 1000).toFixed(1)} s] ${text}`); }

// Runs the scenarios named on the command line (tests/ui/scenarios/run.mjs) one after the other in one browser, each
// with its own World (fresh contexts, so fresh sessions). On the first failure: prints it (and where the pages were),
// screenshots the pages into failure-<scenario>-<n>.png, and exits 1.
export async function runScenarios(names) {
  const browser = await chromium.launch({
    executablePath: process.env.GITMOOR_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
  let status = 0;
  for (const name of names) {
    const world = new World(browser, name);
    const started = Date.now();
    console.log(`==== scenario ${name}`);
    try {
      const module = await import(`./${name}.mjs`);
      // A hung step fails the scenario with its name (the C++ side's timeout would only say "timed out").
      let timer;
      const watchdog = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new ScenarioError(`scenario ${name} hung: no end after ${SCENARIO_LIMIT / 1000} s`)),
          SCENARIO_LIMIT);
      });
      await Promise.race([module.default(world), watchdog]).finally(() => clearTimeout(timer));
      world.checkErrors();
      console.log(`==== scenario ${name} passed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    } catch (error) {
      status = 1;
      console.log(`FAILED: scenario ${name}: ${error instanceof ScenarioError ? error.message : (error.stack || error)}`);
      for (const page of world.pages) {
        try { console.log(`  page at ${page.url()}`); } catch { /* closed */ }
      }
      for (const e of world.errors) console.log(`  ${e}`);
      await world.screenshotOnFailure();
    }
    await world.close();
    if (status) break;
  }
  await browser.close().catch(() => {});
  process.exit(status);
}

// The browser and everything the scenario's pages did: page errors, console errors, CSP violations, responses.
export class World {
  constructor(browser, name) {
    this.browser = browser;
    this.name = name;
    this.base = env('GITMOOR_UI_URL').replace(/\/$/, '');
    this.pages = [];
    this.errors = [];       // page errors and CSP violations: each fails the scenario
    this.consoleErrors = []; // console.error lines (failed requests are expected in some steps: printed, not failed)
    this.responses = [];    // {url, status, contentType, body: Promise<string|null>}
  }

  url(p) { return this.base + p; }

  // A new context (its own cookies) and page; colorScheme 'light' | 'dark'.
  async newPage({colorScheme = 'light', viewport = {width: 1280, height: 720}, record = false} = {}) {
    const context = await this.browser.newContext({colorScheme, viewport, baseURL: this.base});
    context.setDefaultTimeout(TIMEOUT);
    if (record) await recordStreams(context);
    const page = await context.newPage();
    this.watch(page, record);
    this.pages.push(page);
    return page;
  }

  // Another tab in the same context (same session).
  async newTab(page, {record = false} = {}) {
    const tab = await page.context().newPage();
    this.watch(tab, record);
    this.pages.push(tab);
    return tab;
  }

  watch(page, record) {
    page.on('pageerror', (error) => this.errors.push(`page error at ${page.url()}: ${error.message}`));
    page.on('console', (message) => {
      const text = message.text();
      // Chromium reports a CSP violation on the console: "Refused to execute inline script because it violates ..."
      if (/Refused to|Content Security Policy/i.test(text)) this.errors.push(`CSP violation at ${page.url()}: ${text}`);
      else if (message.type() === 'error') this.consoleErrors.push(text);
    });
    if (record) {
      page.on('response', (response) => {
        const contentType = response.headers()['content-type'] || '';
        // An event stream's body is complete only when the stream ends: the page-side recorder (recordStreams) keeps
        // what the page read from it.
        const body = contentType.includes('text/event-stream') ? Promise.resolve(null)
          : response.body().then((b) => b.toString('utf8')).catch(() => null);
        this.responses.push({url: response.url(), status: response.status(), contentType, body});
      });
    }
  }

  checkErrors() {
    if (this.errors.length) fail(`the UI reported errors:\n  ${this.errors.join('\n  ')}`);
  }

  async screenshotOnFailure() {
    const dir = process.env.GITMOOR_UI_SCREENSHOTS;
    if (!dir) return;
    fs.mkdirSync(dir, {recursive: true});
    for (const [i, page] of this.pages.entries()) {
      await page.screenshot({path: path.join(dir, `failure-${this.name}-${i}.png`)})
        .catch(() => {});
    }
  }

  async close() {
    for (const context of new Set(this.pages.map((p) => p.context()))) await context.close().catch(() => {});
  }

  // Every response body the recorded pages received (JSON, HTML, assets, and the text of their event streams).
  // A body Chromium cannot give (a request the page aborted, e.g. a view's stream closed by navigation) is listed in
  // `unreadable` rather than waited for: Playwright's body() may never settle for those.
  async receivedBodies() {
    const out = [];
    const unreadable = [];
    const settled = await Promise.all(this.responses.map((r) =>
      Promise.race([r.body, new Promise((resolve) => setTimeout(() => resolve(undefined), 5000))])));
    this.responses.forEach((r, i) => {
      const body = settled[i];
      if (body === undefined || body === null) {
        if (!r.contentType.includes('text/event-stream')) unreadable.push(r.url);
      } else {
        out.push({url: r.url, body});
      }
    });
    if (unreadable.length) console.log(`bodies Chromium could not give (aborted requests): ${unreadable.join(', ')}`);
    for (const page of this.pages) {
      const streams = await page.evaluate(() => window.__gitmoorStreams || []).catch(() => []);
      for (const s of streams) out.push({url: s.url, body: s.body});
    }
    return out;
  }
}

// A copy of every streamed (text/event-stream) fetch body the page reads, kept in window.__gitmoorStreams: Playwright's
// response.body() waits for the end of a response, which an event stream never reaches while the page is open. The
// init script is injected by the browser (DevTools protocol), not by the page, so it is outside the CSP.
async function recordStreams(context) {
  await context.addInitScript(() => {
    const streams = [];
    Object.defineProperty(window, '__gitmoorStreams', {value: streams});
    const original = window.fetch;
    window.fetch = async (...args) => {
      const response = await original(...args);
      if ((response.headers.get('content-type') || '').includes('text/event-stream') && response.body) {
        const copy = {url: response.url, body: ''};
        streams.push(copy);
        const reader = response.clone().body.pipeThrough(new TextDecoderStream()).getReader();
        (async () => {
          try {
            for (;;) {
              const {value, done} = await reader.read();
              if (done) break;
              copy.body += value;
            }
          } catch { /* aborted with the view */ }
        })();
      }
      return response;
    };
  });
}

// ---- UI steps (the selector contract of COMMON.md)

export async function login(page, password, {next} = {}) {
  if (!page.url().includes('/login')) await page.goto(next ? `/login?next=${encodeURIComponent(next)}` : '/login');
  await page.getByLabel('Username', {exact: true}).fill('admin');
  await page.getByLabel('Password', {exact: true}).fill(password);
  await page.getByRole('button', {name: 'Log in'}).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/login'), {timeout: TIMEOUT});
}

export function tile(page, app) { return page.locator(`article.app-tile[data-app="${app}"]`); }

// The state badge's data-state inside `scope` ('sync' | 'health').
export function badge(scope, which) { return scope.locator(`.state-${which}`).first(); }

export async function expectState(locator, which, state, what, timeout = TIMEOUT) {
  const b = badge(locator, which);
  try {
    await b.waitFor({timeout});
    await waitUntil(async () => (await b.getAttribute('data-state')) === state, timeout);
  } catch {
    const actual = await b.getAttribute('data-state', {timeout: 1000}).catch(() => '<no badge>');
    fail(`${what}: ${which} is ${actual}, expected ${state}`);
  }
}

export async function waitUntil(predicate, timeout = TIMEOUT, every = 50) {
  const deadline = Date.now() + timeout;
  for (;;) {
    try { if (await predicate()) return; } catch { /* not yet */ }
    if (Date.now() > deadline) throw new ScenarioError('condition not met in time');
    await new Promise((r) => setTimeout(r, every));
  }
}

export async function expectVisible(locator, what, timeout = TIMEOUT) {
  try {
    await locator.first().waitFor({state: 'visible', timeout});
  } catch {
    fail(`${what}: not visible within ${timeout} ms`);
  }
}

// For elements that exist without a box of their own, such as a tree's SVG edges (a straight path has no height).
export async function expectAttached(locator, what, timeout = TIMEOUT) {
  try {
    await locator.first().waitFor({state: 'attached', timeout});
  } catch {
    fail(`${what}: not in the page within ${timeout} ms`);
  }
}

// Screenshots as <name>-light.png and <name>-dark.png: the page is shown in both schemes (emulated prefers-color-scheme)
// and left in light.
export async function screenshots(page, name, {fullPage = false} = {}) {
  const dir = env('GITMOOR_UI_SCREENSHOTS');
  fs.mkdirSync(dir, {recursive: true});
  for (const scheme of ['dark', 'light']) {
    await page.emulateMedia({colorScheme: scheme});
    await page.waitForTimeout(100);  // a repaint with the other scheme's variables
    await page.screenshot({path: path.join(dir, `${name}-${scheme}.png`), fullPage});
  }
  console.log(`screenshot ${name}-light.png ${name}-dark.png`);
}

// ---- the world outside the browser: kubectl and git with argv, never a shell

export function exec(file, args, options = {}) {
  return new Promise((resolve, reject) => {
    execFile(file, args, {timeout: 60000, maxBuffer: 16 << 20, ...options}, (error, stdout, stderr) => {
      if (error) reject(new ScenarioError(`${path.basename(file)} ${args.join(' ')}: ${error.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

export function kubectl(args) {
  return exec(env('GITMOOR_KUBECTL'), ['--kubeconfig', env('KUBECONFIG'), ...args]);
}

const gitEnvironment = () => ({
  ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_TERMINAL_PROMPT: '0',
  GIT_AUTHOR_NAME: 'Ada Lovelace', GIT_AUTHOR_EMAIL: 'ada@example.com',
  GIT_COMMITTER_NAME: 'Ada Lovelace', GIT_COMMITTER_EMAIL: 'ada@example.com',
});

export function git(args) {
  return exec('git', args, {cwd: env('GITMOOR_UI_REPO'), env: gitEnvironment()});
}

// Edits a file of the deploy repository's clone, commits with `message` and pushes; returns the commit.
export async function commitAndPush(message, file, edit) {
  if (file) {
    const full = path.join(env('GITMOOR_UI_REPO'), file);
    const before = fs.readFileSync(full, 'utf8');
    const after = edit(before);
    check(after !== before, `the edit of ${file} changed nothing`);
    fs.writeFileSync(full, after);
  }
  await git(['add', '--all']);
  await git(['commit', '--quiet', '--allow-empty', '-m', message]);
  await git(['push', '--quiet', 'origin', 'main']);
  return (await git(['rev-parse', 'HEAD'])).trim();
}

export function percentile(values, p) {
  if (!values.length) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.round(p * (sorted.length - 1)))];
}
