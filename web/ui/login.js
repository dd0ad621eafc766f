// The login page (/login): the admin password (a cookie session) or an API key (`gitmoor account generate-token`,
// kept in this tab's sessionStorage only, by api.js). ?reason=expired|logout says why the user is here; ?next= is
// where to go afterwards: only a path on this site, so a crafted link cannot send a fresh session elsewhere.
import {h, replace} from './dom.js';
import {loginWithPassword, loginWithApiKey, userInfo} from './api.js';

const REASONS = {
  expired: 'Your session has expired. Log in again.',
  logout: 'You have logged out.',
};

// A same-origin path ('/applications/x?tab=diff'), never '//host', '/\host' or 'https://…'; the list otherwise.
export function safeNext(next) {
  const fallback = '/applications';
  if (typeof next !== 'string' || !next.startsWith('/') || next.startsWith('//') || next.includes('\\')) return fallback;
  try {
    const url = new URL(next, location.origin);
    if (url.origin !== location.origin || url.pathname.startsWith('/login')) return fallback;
    return url.pathname + url.search + url.hash;
  } catch {
    return fallback;
  }
}

// "Wait 4 min 37 s (until 07:41:02) before trying again." from Retry-After.
function waitText(seconds) {
  if (!seconds) return 'Wait a while before trying again.';
  const m = Math.floor(seconds / 60), s = seconds % 60;
  const until = new Date(Date.now() + seconds * 1000).toLocaleTimeString();
  return `Wait ${m ? `${m} min ` : ''}${m && !s ? '' : `${s} s `}(until ${until}) before trying again.`;
}

export function mount(root, ctx) {
  document.title = 'Log in · gitmoor';
  const next = safeNext(ctx.query.get('next'));
  let mode = 'password';
  let alive = true;

  const done = (info) => {
    if (!alive) return;
    ctx.setUser(info);
    ctx.navigate(next, {replace: true});
  };

  const username = h('input', {id: 'login-username', name: 'username', autocomplete: 'username', required: true,
    autocapitalize: 'none', spellcheck: 'false'});
  const password = h('input', {id: 'login-password', name: 'password', type: 'password',
    autocomplete: 'current-password', required: true});
  const key = h('input', {id: 'login-key', name: 'apiKey', type: 'password', autocomplete: 'off', spellcheck: 'false'});
  const passwordFields = h('div', {class: 'login-fields'},
    h('div', {class: 'field'}, h('label', {for: 'login-username'}, 'Username'), username),
    h('div', {class: 'field'}, h('label', {for: 'login-password'}, 'Password'), password));
  const keyFields = h('div', {class: 'login-fields', hidden: true},
    h('div', {class: 'field'}, h('label', {for: 'login-key'}, 'API key'), key,
      h('p', {class: 'hint', id: 'login-key-hint'}, 'A token from ', h('code', {}, 'gitmoor account generate-token'),
        '. It is kept in this browser tab only and forgotten when the tab closes.')));
  key.setAttribute('aria-describedby', 'login-key-hint');

  const alert = h('div', {class: 'login-error', role: 'alert'});
  const submit = h('button', {type: 'submit', class: 'button primary'}, 'Log in');
  const switchMode = h('button', {type: 'button', class: 'button ghost login-switch'}, 'Use an API key instead');

  const showMode = () => {
    const keyMode = mode === 'key';
    passwordFields.hidden = keyMode;
    keyFields.hidden = !keyMode;
    username.required = password.required = !keyMode;
    key.required = keyMode;
    switchMode.textContent = keyMode ? 'Use username and password instead' : 'Use an API key instead';
    replace(alert);
  };
  switchMode.addEventListener('click', () => {
    mode = mode === 'password' ? 'key' : 'password';
    showMode();
    (mode === 'key' ? key : username).focus();
  });

  const form = h('form', {class: 'login-form', novalidate: true, 'aria-labelledby': 'login-title'},
    passwordFields, keyFields, alert,
    h('div', {class: 'login-actions'}, submit, switchMode));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    replace(alert);
    const missing = mode === 'key' ? (!key.value.trim() && key)
      : (!username.value.trim() && username) || (!password.value && password);
    if (missing) {
      replace(alert, mode === 'key' ? 'Enter an API key.' : `Enter the ${missing === username ? 'username' : 'password'}.`);
      missing.focus();
      return;
    }
    submit.disabled = true;
    submit.textContent = 'Logging in…';
    try {
      let info;
      if (mode === 'key') {
        info = await loginWithApiKey(key.value.trim());
      } else {
        await loginWithPassword(username.value.trim(), password.value);
        info = await userInfo();
        if (!info.loggedIn) throw new Error('the session was not accepted: are cookies blocked for this site?');
      }
      done(info);
    } catch (error) {
      if (!alive) return;
      const message = error?.message || String(error);
      if (error?.status === 429) replace(alert, `${message}. ${waitText(error.retryAfter)}`);
      else if (error?.status === 401 && mode === 'key') replace(alert, 'The API key was not accepted: it is invalid, expired or revoked.');
      else replace(alert, message);
      if (mode === 'password') { password.select(); password.focus(); } else { key.select(); key.focus(); }
    } finally {
      if (alive) { submit.disabled = false; submit.textContent = 'Log in'; }
    }
  });

  const reason = REASONS[ctx.query.get('reason')];
  replace(root, h('section', {class: 'login'},
    h('h1', {id: 'login-title'}, 'Log in to gitmoor'),
    h('p', {class: ['login-reason', reason && 'banner'], role: 'status'}, reason || ''),
    form));
  username.focus();

  // Already logged in (a bookmark to /login, the back button): straight on.
  userInfo().then((info) => { if (info?.loggedIn) done(info); }).catch(() => {});

  return () => { alive = false; };
}
