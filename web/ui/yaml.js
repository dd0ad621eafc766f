// JSON → YAML text for display (manifests in the resource panel and the diff). Keys keep the order the object has
// (the server's order), so two renderings of the same object line up in a line diff. Display only: no anchors, no
// flow style except for empty collections, strings quoted when YAML would read them as something else.

const PLAIN = /^[A-Za-z0-9_./@%+-][A-Za-z0-9_ ./@%+:=-]*$/;
const RESERVED = /^(true|false|yes|no|on|off|null|~|y|n)$/i;
const NUMBERISH = /^[-+]?(\d[\d_]*(\.\d*)?|\.\d+)([eE][-+]?\d+)?$|^0x[0-9a-fA-F]+$|^0o[0-7]+$|^[-+]?\.(inf|Inf|INF)$|^\.(nan|NaN|NAN)$/;

function scalar(value) {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean' || typeof value === 'number') return String(value);
  const s = String(value);
  if (s === '' || !PLAIN.test(s) || RESERVED.test(s) || NUMBERISH.test(s) || s.endsWith(':') || s.includes(': ') ||
      s.includes(' #') || s.endsWith(' ')) {
    return JSON.stringify(s);
  }
  return s;
}

function key(k) {
  return PLAIN.test(k) && !RESERVED.test(k) && !NUMBERISH.test(k) && !k.includes(': ') && !k.endsWith(':')
    ? k : JSON.stringify(k);
}

const isCollection = (v) => v !== null && typeof v === 'object';
const isEmpty = (v) => (Array.isArray(v) ? v.length === 0 : Object.keys(v).length === 0);

// Multi-line strings as literal blocks (|, |-), the way kubectl shows a ConfigMap's file.
function block(s, indent) {
  const pad = ' '.repeat(indent);
  const chomp = s.endsWith('\n') ? '|' : '|-';
  const body = (s.endsWith('\n') ? s.slice(0, -1) : s).split('\n').map(l => (l ? pad + l : '')).join('\n');
  return `${chomp}\n${body}`;
}

function valueText(v, indent) {
  if (typeof v === 'string' && v.includes('\n') && !/[\r\t]/.test(v) && !/^\s/.test(v)) return block(v, indent);
  return scalar(v);
}

function lines(value, indent, out) {
  const pad = ' '.repeat(indent);
  if (Array.isArray(value)) {
    for (const item of value) {
      if (isCollection(item) && !isEmpty(item)) {
        const inner = [];
        lines(item, indent + 2, inner);
        inner[0] = `${pad}- ${inner[0].slice(indent + 2)}`;
        out.push(...inner);
      } else {
        out.push(`${pad}- ${isCollection(item) ? (Array.isArray(item) ? '[]' : '{}') : valueText(item, indent + 2)}`);
      }
    }
    return;
  }
  for (const [k, v] of Object.entries(value)) {
    if (isCollection(v) && !isEmpty(v)) {
      out.push(`${pad}${key(k)}:`);
      // Lists under a key are not indented further (kubectl's style).
      lines(v, Array.isArray(v) ? indent : indent + 2, out);
    } else {
      out.push(`${pad}${key(k)}: ${isCollection(v) ? (Array.isArray(v) ? '[]' : '{}') : valueText(v, indent + 2)}`);
    }
  }
}

// toYaml({a: 1, b: [1, {c: 2}]}) → "a: 1\nb:\n- 1\n- c: 2\n"
export function toYaml(value) {
  if (!isCollection(value)) return `${valueText(value, 0)}\n`;
  if (isEmpty(value)) return Array.isArray(value) ? '[]\n' : '{}\n';
  const out = [];
  lines(value, 0, out);
  return `${out.join('\n')}\n`;
}

// A manifest field of managed-resources arrives as a JSON string ("" or "null" when absent): the object or null.
export function parseState(text) {
  if (!text) return null;
  if (typeof text === 'object') return text;
  try { return JSON.parse(text); } catch { return null; }
}
