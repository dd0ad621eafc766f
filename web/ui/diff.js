// Line diff of two texts (LCS over the lines between the common head and tail, which is where a manifest's drift
// is), rendered unified or side by side. Lines are text nodes with .diff-line.add / .diff-line.del / .diff-line.same;
// a line's text is its YAML line only (line numbers and the +/- sign are CSS content from data attributes).
import {h} from './dom.js';

// The cell budget of the LCS table; past it the middle is shown as all removed then all added (still correct).
const MAX_CELLS = 4_000_000;

// diffLines(a, b) → [{op: ' '|'-'|'+', text, a: lineNo|null, b: lineNo|null}]
export function diffLines(aText, bText) {
  const a = aText.split('\n'), b = bText.split('\n');
  if (a[a.length - 1] === '') a.pop();
  if (b[b.length - 1] === '') b.pop();
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length, endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) { endA--; endB--; }
  const out = [];
  for (let i = 0; i < start; i++) out.push({op: ' ', text: a[i], a: i + 1, b: i + 1});
  const n = endA - start, m = endB - start;
  if (n * m > MAX_CELLS) {
    for (let i = start; i < endA; i++) out.push({op: '-', text: a[i], a: i + 1, b: null});
    for (let j = start; j < endB; j++) out.push({op: '+', text: b[j], a: null, b: j + 1});
  } else {
    // lcs[i][j]: the LCS length of a[start+i..endA) and b[start+j..endB), in one flat array.
    const w = m + 1;
    const lcs = new Uint32Array((n + 1) * w);
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        lcs[i * w + j] = a[start + i] === b[start + j]
          ? lcs[(i + 1) * w + j + 1] + 1 : Math.max(lcs[(i + 1) * w + j], lcs[i * w + j + 1]);
      }
    }
    let i = 0, j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && a[start + i] === b[start + j]) {
        out.push({op: ' ', text: a[start + i], a: start + i + 1, b: start + j + 1}); i++; j++;
      } else if (i < n && (j === m || lcs[(i + 1) * w + j] >= lcs[i * w + j + 1])) {
        out.push({op: '-', text: a[start + i], a: start + i + 1, b: null}); i++;  // removals first, as diff -u
      } else {
        out.push({op: '+', text: b[start + j], a: null, b: start + j + 1}); j++;
      }
    }
  }
  for (let i = endA, j = endB; i < a.length; i++, j++) out.push({op: ' ', text: a[i], a: i + 1, b: j + 1});
  return out;
}

export const hasChanges = (ops) => ops.some(o => o.op !== ' ');

const CLASS = {' ': 'same', '-': 'del', '+': 'add'};
const CONTEXT = 4;

// Runs of unchanged lines longer than 2×CONTEXT fold into one "… N unchanged lines" row.
function hunks(ops) {
  const keep = new Array(ops.length).fill(false);
  ops.forEach((o, i) => {
    if (o.op === ' ') return;
    for (let k = Math.max(0, i - CONTEXT); k <= Math.min(ops.length - 1, i + CONTEXT); k++) keep[k] = true;
  });
  const out = [];
  let skipped = 0;
  ops.forEach((o, i) => {
    if (keep[i]) {
      if (skipped) out.push({fold: skipped});
      skipped = 0;
      out.push(o);
    } else skipped++;
  });
  if (skipped) out.push({fold: skipped});
  return out;
}

const fold = (n) => h('div', {class: 'diff-fold'}, `… ${n} unchanged line${n === 1 ? '' : 's'}`);

export function renderUnified(ops) {
  return h('div', {class: 'diff diff-unified mono', role: 'table', 'aria-label': 'Unified diff'},
    hunks(ops).map(o => (o.fold ? fold(o.fold) : h('div', {class: ['diff-line', CLASS[o.op]], role: 'row',
      'data-a': o.a ?? '', 'data-b': o.b ?? '', 'data-sign': o.op},
    h('span', {class: 'diff-text'}, o.text)))));
}

// Side by side: a run of removed lines pairs row by row with the run of added lines after it (a changed value sits
// on one row).
export function renderSideBySide(ops) {
  const rows = [];
  let dels = [], adds = [];
  const flush = () => {
    for (let k = 0; k < Math.max(dels.length, adds.length); k++) rows.push({left: dels[k] || null, right: adds[k] || null});
    dels = []; adds = [];
  };
  for (const o of hunks(ops)) {
    if (o.op === '-') { if (adds.length) flush(); dels.push(o); continue; }
    if (o.op === '+') { adds.push(o); continue; }
    flush();
    rows.push(o.fold ? {fold: o.fold} : {left: o, right: o});
  }
  flush();
  const cell = (o, side) => (o
    ? h('div', {class: ['diff-line', CLASS[o.op], `diff-${side}`], 'data-no': (side === 'left' ? o.a : o.b) ?? ''},
      h('span', {class: 'diff-text'}, o.text))
    : h('div', {class: ['diff-empty', `diff-${side}`]}));
  return h('div', {class: 'diff diff-split mono', 'aria-label': 'Side-by-side diff'},
    rows.map(r => (r.fold ? fold(r.fold) : [cell(r.left, 'left'), cell(r.right, 'right')])));
}
