// Sync, health and operation states as icon + text (never colour alone). The icon is decorative (aria-hidden); the
// text next to it is what screen readers and the tests read. CSS colours by the data-state attribute.
import {h} from './dom.js';

const SYNC = {Synced: '✓', OutOfSync: '↻', Unknown: '?'};
const HEALTH = {Healthy: '♥', Progressing: '◌', Degraded: '✕', Suspended: '‖', Missing: '∅', Unknown: '?'};
const PHASE = {Running: '◌', Succeeded: '✓', Failed: '✕', Error: '✕', Terminating: '■'};

function badge(kind, glyphs, state, extraClass) {
  const value = state || 'Unknown';
  return h('span', {class: ['state', `state-${kind}`, extraClass], 'data-state': value, title: `${kind}: ${value}`},
    h('span', {class: 'state-icon', 'aria-hidden': 'true'}, glyphs[value] || '?'),
    h('span', {class: 'state-text'}, value));
}

export const syncBadge = (status, cls) => badge('sync', SYNC, status, cls);
export const healthBadge = (status, cls) => badge('health', HEALTH, status, cls);
export const phaseBadge = (phase, cls) => badge('operation', PHASE, phase, cls);

export const SYNC_STATES = Object.keys(SYNC);
export const HEALTH_STATES = Object.keys(HEALTH);

// The app's status fields with safe defaults.
export function appStatus(app) {
  const status = app?.status || {};
  return {
    sync: status.sync?.status || 'Unknown',
    revision: status.sync?.revision || '',
    health: status.health?.status || 'Unknown',
    healthMessage: status.health?.message || '',
    operation: status.operationState || null,
    conditions: status.conditions || [],
    history: status.history || [],
    reconciledAt: status.reconciledAt || '',
  };
}
