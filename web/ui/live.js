// Server-sent event streams (issue 13's /api/v1/stream/...), read with fetch so an API key can ride in the
// Authorization header (EventSource cannot send headers). Events are batched: everything that arrived within one
// animation frame (at most ~60 batches/s, and at most one per `minInterval`) reaches the view as one array, so a
// burst of 100 changes re-renders once. A dropped stream reconnects with exponential backoff (0.5 s doubling to
// 15 s, with jitter); the top bar's indicator says "Disconnected — reconnecting in Ns" meanwhile.
import {headers, notifyUnauthorized} from './api.js';

const listeners = new Set();
const streams = new Set();

// How many streams are open (the top bar shows no indicator when none is: the login page).
export function openStreams() { return streams.size; }

// The combined connection state of every open stream: 'connected', 'connecting' or 'disconnected'.
export function connectionState() {
  let state = 'connected';
  for (const s of streams) {
    if (s.state === 'disconnected') return 'disconnected';
    if (s.state === 'connecting') state = 'connecting';
  }
  return state;
}
// fn(state, retryAt) on every change; returns an unsubscribe function.
export function onConnectionChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}
function notify(stream) {
  for (const fn of listeners) fn(connectionState(), stream.retryAt);
}

// subscribe('/api/v1/stream/applications', batch => ..., {minInterval: 100})
// batch: the parsed `data:` payloads in arrival order (each {result: ...}). Returns close().
// onOpen() runs on every (re)connect, before the stream's first event: a view that keeps state re-reads it there
// (the application stream starts with an ADDED snapshot anyway).
export function subscribe(url, onBatch, {minInterval = 100, onOpen = () => {}, onUnauthorized = notifyUnauthorized} = {}) {
  const stream = {state: 'connecting', retryAt: 0, closed: false, controller: null};
  streams.add(stream);
  let pending = [];
  let scheduled = false;
  let lastFlush = 0;
  let backoff = 500;

  const flush = () => {
    scheduled = false;
    if (stream.closed || pending.length === 0) return;
    const batch = pending;
    pending = [];
    lastFlush = performance.now();
    onBatch(batch);
  };
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    const wait = Math.max(0, minInterval - (performance.now() - lastFlush));
    setTimeout(() => {
      // The next frame, or within a second when there is none: a hidden tab runs no frames, and its pending
      // events would otherwise pile up (100 changes/s of whole apps) until the tab is shown again.
      let ran = false;
      const once = () => { if (!ran) { ran = true; flush(); } };
      requestAnimationFrame(once);
      setTimeout(once, 1000);
    }, wait);
  };
  const setState = (state, retryAt = 0) => {
    stream.state = state;
    stream.retryAt = retryAt;
    notify(stream);
  };

  const connect = async () => {
    if (stream.closed) return;
    setState('connecting');
    stream.controller = new AbortController();
    try {
      const response = await fetch(url, {
        headers: {...headers('GET'), Accept: 'text/event-stream'},
        credentials: 'same-origin',
        signal: stream.controller.signal,
      });
      if (response.status === 401) {
        // The session ended (expired, logged out elsewhere): by default the whole UI goes to the login page,
        // whose navigation closes this stream; retrying with the same credentials would only fail again.
        onUnauthorized();
        throw new Error('unauthorized');
      }
      if (!response.ok || !response.body) throw new Error(`${response.status}`);
      setState('connected');
      backoff = 500;
      onOpen();
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const {value, done} = await reader.read();
        if (done) break;
        buffer += value;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = frame.split('\n').filter(l => l.startsWith('data:')).map(l => l.slice(5).trimStart()).join('\n');
          if (!data) continue;  // a keep-alive comment
          try { pending.push(JSON.parse(data)); } catch { /* a torn frame is skipped; the next snapshot corrects */ }
        }
        if (pending.length) schedule();
      }
    } catch (error) {
      if (stream.closed) return;
    }
    if (stream.closed) return;
    const delay = Math.min(15000, backoff) * (0.8 + Math.random() * 0.4);
    backoff = Math.min(15000, backoff * 2);
    setState('disconnected', Date.now() + delay);
    setTimeout(connect, delay);
  };
  connect();

  return () => {
    stream.closed = true;
    stream.controller?.abort();
    streams.delete(stream);
    for (const fn of listeners) fn(connectionState(), 0);
  };
}
