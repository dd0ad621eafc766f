// Placeholder: replaced by the view's implementation.
import {h, replace} from './dom.js';
export function mount(root) { replace(root, h('p', {}, 'list')); return () => {}; }
