// DOM building without HTML strings. Every value from the API becomes a text node or an attribute value, never
// markup: h() has no innerHTML path, so a commit message holding <img onerror=...> stays text.

// h('div', {class: 'tile', onclick: fn, 'aria-label': 'x', dataset: {name}}, child, [children], 'text')
// props: class (string or array, falsy entries skipped), on<event> handlers, dataset, hidden/disabled/checked/value
// (properties), anything else an attribute (null/false/undefined skipped). Children: strings/numbers become text,
// arrays are flattened, null/false/undefined skipped.
// aria-* attributes keep false as "false" (aria-pressed="false" means "a toggle, off", not "no toggle").
export function h(tag, props, ...children) {
  const el = tag.startsWith('svg:')
    ? document.createElementNS('http://www.w3.org/2000/svg', tag.slice(4))
    : document.createElement(tag);
  let value_ = undefined;
  for (const [key, value] of Object.entries(props || {})) {
    if (value === false && key.startsWith('aria-')) { el.setAttribute(key, 'false'); continue; }
    if (value === null || value === undefined || value === false) continue;
    if (key === 'class') {
      const names = Array.isArray(value) ? value.filter(Boolean).join(' ') : value;
      if (names) el.setAttribute('class', names);
    } else if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2).toLowerCase(), value);
    } else if (key === 'dataset') {
      Object.assign(el.dataset, value);
    } else if (key === 'value') {
      value_ = value;  // set after the children: a <select>'s value needs its <option>s
    } else if (key === 'checked' || key === 'selected' || key === 'disabled' || key === 'hidden') {
      el[key] = value;
    } else if (key === 'style') {
      throw new Error('h(): inline styles are refused by the CSP; use a class');
    } else {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
  append(el, children);
  if (value_ !== undefined) el.value = value_;
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

// Replaces el's children.
export function replace(el, ...children) {
  clear(el);
  return append(el, children);
}

// A visually hidden label for screen readers (icons carry text too: state is never colour alone).
export function srOnly(text) {
  return h('span', {class: 'sr-only'}, text);
}
