// Display helpers shared by every view.

export function shortSha(revision) {
  return typeof revision === 'string' && /^[0-9a-f]{40}$/.test(revision) ? revision.slice(0, 7) : (revision || '');
}

// "5s", "3m", "2h", "4d" since an RFC 3339 time; '' when missing.
export function age(time, now = Date.now()) {
  if (!time) return '';
  const then = Date.parse(time);
  if (Number.isNaN(then)) return '';
  const s = Math.max(0, Math.round((now - then) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

// "1m 05s" between two RFC 3339 times.
export function duration(start, end) {
  const a = Date.parse(start), b = Date.parse(end);
  if (Number.isNaN(a) || Number.isNaN(b)) return '';
  const s = Math.max(0, Math.round((b - a) / 1000));
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
}

// One formatter for every call: Date#toLocaleString builds a new one each time (~0.5 ms), which a list of
// hundreds of tiles pays per tile. Same output as toLocaleString().
let localFormat = null;
export function localTime(time) {
  const t = Date.parse(time);
  if (Number.isNaN(t)) return '';
  localFormat ||= new Intl.DateTimeFormat(undefined, {year: 'numeric', month: 'numeric', day: 'numeric',
    hour: 'numeric', minute: 'numeric', second: 'numeric'});
  return localFormat.format(t);
}

// The repository shown short: github.com/owner/repo without scheme or .git.
export function shortRepo(url) {
  return (url || '').replace(/^[a-z+]+:\/\//, '').replace(/^git@([^:]+):/, '$1/').replace(/\.git$/, '');
}
