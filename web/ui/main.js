// The UI's shell: routes a path to a view, keeps the session, shows the live-stream indicator and the user menu.
// A view module exports mount(root, ctx) and returns an unmount function (closing its streams and timers).
//   ctx.params   {name} from the path          ctx.query   URLSearchParams of the current URL
//   ctx.navigate(url, {replace})               ctx.setQuery({key: value|null}, {replace = true}) — filters,
//   ctx.user     {username, ...} or null        sort, tabs and the selected node live in the URL (deep links)
import {h, replace} from './dom.js';
import {onUnauthorized, userInfo, logout} from './api.js';
import {onConnectionChange, openStreams} from './live.js';

const ROUTES = [
  {pattern: /^\/login\/?$/, load: () => import('./login.js'), public: true},
  {pattern: /^\/(applications\/?)?$/, load: () => import('./list.js')},
  {pattern: /^\/applications\/([^/]+)\/?$/, load: () => import('./app_page.js'), params: ['name']},
];

const main = document.getElementById('main');
let unmount = () => {};
let current = {path: '', search: ''};
let user = null;
let routeSeq = 0;  // a newer navigation wins over one still awaiting its module or the session check

function loginUrl(reason) {
  const next = location.pathname.startsWith('/login') ? '/applications' : location.pathname + location.search;
  const q = new URLSearchParams({next});
  if (reason) q.set('reason', reason);
  return `/login?${q}`;
}

export function navigate(url, {replace: replaceState = false} = {}) {
  if (replaceState) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  route();
}

function setQuery(changes, {replace: replaceState = true} = {}) {
  const q = new URLSearchParams(location.search);
  for (const [k, v] of Object.entries(changes)) {
    if (v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0)) q.delete(k);
    else if (Array.isArray(v)) { q.delete(k); for (const item of v) q.append(k, item); }
    else q.set(k, v);
  }
  const s = q.toString();
  const url = location.pathname + (s ? `?${s}` : '');
  if (replaceState) history.replaceState(null, '', url); else history.pushState(null, '', url);
  current.search = location.search;  // the view already shows it: no re-mount
}

async function route() {
  if (location.pathname === current.path && location.search === current.search) return;
  const samePath = location.pathname === current.path;
  current = {path: location.pathname, search: location.search};
  const seq = ++routeSeq;
  const match = ROUTES.map(r => ({r, m: location.pathname.match(r.pattern)})).find(x => x.m);
  if (!match) {
    unmount(); unmount = () => {};
    replace(main, h('section', {class: 'empty'}, h('h1', {}, 'Not found'),
      h('p', {}, h('a', {href: '/applications', 'data-link': ''}, 'Applications'))));
    return;
  }
  const loading = match.r.load();  // the view's module loads while the session is checked
  loading.catch(() => {});
  if (!match.r.public && !user) {
    try {
      const info = await userInfo();
      user = info.loggedIn ? info : null;
    } catch { user = null; }
    if (seq !== routeSeq) return;
    if (!user) { navigate(loginUrl(), {replace: true}); return; }
    renderUser();
  }
  const params = {};
  (match.r.params || []).forEach((p, i) => {
    try { params[p] = decodeURIComponent(match.m[i + 1]); } catch { params[p] = match.m[i + 1]; }  // a stray '%'
  });
  const module = await loading;
  if (seq !== routeSeq) return;
  // The same view at another query (back/forward through filters or tabs): a view whose unmount function has an
  // update(query) property updates in place instead of re-mounting.
  if (samePath && unmount.update) { unmount.update(new URLSearchParams(location.search)); return; }
  unmount();
  replace(main);
  const ctx = {params, query: new URLSearchParams(location.search), navigate, setQuery, user,
    setUser: (u) => { user = u; renderUser(); }};
  const cleanup = module.mount(main, ctx) || (() => {});
  unmount = cleanup;
}

function renderUser() {
  const el = document.getElementById('user');
  if (!user) { replace(el); return; }
  replace(el,
    h('span', {class: 'user-name', title: 'Signed in as'}, user.username || ''),
    h('button', {type: 'button', class: 'button ghost', onclick: async () => {
      await logout(); user = null; renderUser(); navigate('/login?reason=logout');
    }}, 'Log out'));
}

function renderIndicator(state, retryAt) {
  const el = document.getElementById('live-indicator');
  el.dataset.state = state;
  el.hidden = openStreams() === 0;  // no stream open (the login page): nothing to report
  if (state === 'disconnected') {
    const seconds = Math.max(0, Math.round((retryAt - Date.now()) / 1000));
    replace(el, h('span', {'aria-hidden': 'true'}, '⚠ '), `Disconnected — reconnecting${seconds ? ` in ${seconds}s` : ''}`);
  } else if (state === 'connecting') {
    replace(el, 'Connecting…');
  } else {
    replace(el, h('span', {'aria-hidden': 'true'}, '● '), 'Live');
  }
}

onUnauthorized(() => {
  if (location.pathname.startsWith('/login')) return;
  user = null;
  renderUser();
  navigate(loginUrl('expired'), {replace: true});
});
onConnectionChange(renderIndicator);

// In-app links (<a data-link>) navigate without a reload; modified clicks open tabs as usual.
document.addEventListener('click', (event) => {
  const a = event.target.closest('a[data-link]');
  if (!a || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
  event.preventDefault();
  navigate(a.getAttribute('href'));
});
window.addEventListener('popstate', route);
route();
