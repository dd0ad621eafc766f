// The REST API (issue 13): same-origin fetch with the session cookie, or a Bearer API key kept in sessionStorage
// (an API key pasted on the login page). Cookie sessions send X-CSRF-Token on writes. A 401 ends the session: the
// UI goes to the login page with "your session expired" and comes back to where it was after logging in.

const KEY_STORAGE = 'gitmoor.apiKey';
const CSRF_STORAGE = 'gitmoor.csrf';

export class ApiError extends Error {
  constructor(status, message, body) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

let unauthorizedHandler = () => {};
// main.js sets what a 401 does (redirect to the login page).
export function onUnauthorized(handler) { unauthorizedHandler = handler; }
// Anything else that meets a 401 (live.js's streams) ends the session the same way.
export function notifyUnauthorized() { unauthorizedHandler(); }

export function apiKey() { return sessionStorage.getItem(KEY_STORAGE) || ''; }

export function headers(method = 'GET') {
  const out = {Accept: 'application/json'};
  const key = apiKey();
  if (key) out.Authorization = `Bearer ${key}`;
  else if (method !== 'GET') {
    const csrf = sessionStorage.getItem(CSRF_STORAGE);
    if (csrf) out['X-CSRF-Token'] = csrf;
  }
  return out;
}

async function request(method, path, body, {signal, quiet401} = {}) {
  const init = {method, headers: headers(method), credentials: 'same-origin', signal};
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (error) {
    if (error?.name === 'AbortError') throw error;
    // A network failure (server down, connection reset) gets a message a person can act on, and a status of 0.
    throw new ApiError(0, `cannot reach gitmoor (${error?.message || error})`);
  }
  const text = await response.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  if (!response.ok) {
    const message = json?.message || json?.error || text || `${response.status} ${response.statusText}`;
    if (response.status === 401 && !quiet401) unauthorizedHandler();
    const error = new ApiError(response.status, message, json);
    // 429 (login throttle, connection limit): how many seconds to wait, when the server says.
    const retryAfter = Number(response.headers.get('Retry-After'));
    if (Number.isFinite(retryAfter) && retryAfter > 0) error.retryAfter = retryAfter;
    throw error;
  }
  return json;
}

export const api = {
  get: (path, options) => request('GET', path, undefined, options),
  post: (path, body = {}, options) => request('POST', path, body, options),
  put: (path, body = {}, options) => request('PUT', path, body, options),
  del: (path, options) => request('DELETE', path, undefined, options),
};

export const enc = encodeURIComponent;

// Session: the admin password (cookie session) or an API key (bearer).
export async function loginWithPassword(username, password) {
  sessionStorage.removeItem(KEY_STORAGE);
  const session = await request('POST', '/api/v1/session', {username, password}, {quiet401: true});
  sessionStorage.setItem(CSRF_STORAGE, session.csrfToken || '');
  return session;
}

export async function loginWithApiKey(key) {
  sessionStorage.setItem(KEY_STORAGE, key);
  try {
    const info = await request('GET', '/api/v1/session/userinfo', undefined, {quiet401: true});
    if (!info?.loggedIn) throw new ApiError(401, 'the API key was not accepted');
    return info;
  } catch (error) {
    sessionStorage.removeItem(KEY_STORAGE);
    throw error;
  }
}

// {loggedIn, username, csrfToken?}; refreshes the stored CSRF token (a reload keeps the cookie, not the storage).
export async function userInfo() {
  const info = await request('GET', '/api/v1/session/userinfo', undefined, {quiet401: true});
  if (info?.csrfToken) sessionStorage.setItem(CSRF_STORAGE, info.csrfToken);
  return info || {loggedIn: false};
}

export async function logout() {
  try { await request('DELETE', '/api/v1/session', undefined, {quiet401: true}); } catch { /* already gone */ }
  sessionStorage.removeItem(KEY_STORAGE);
  sessionStorage.removeItem(CSRF_STORAGE);
}
