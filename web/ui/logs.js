// Pod logs: GET /api/v1/applications/{app}/logs?podName=&container=&tailLines=[&follow=true]. The body is
// newline-delimited JSON in Argo CD's shape, whole or (follow) streamed: {"result": {content, timeStamp, podName,
// last}} per line, the final one with last: true, or {"error": {message}} when the stream failed after its head.
// Read with fetch (not EventSource) so an API key rides in the Authorization header.
import {headers, enc, ApiError} from './api.js';

// streamLogs(app, {podName, container, tailLines, follow}, {onLines(entries), onEnd(error?)}) → stop()
export function streamLogs(app, {podName, container, tailLines, follow}, {onLines, onEnd}) {
  const controller = new AbortController();
  const q = new URLSearchParams({podName});
  if (container) q.set('container', container);
  if (tailLines) q.set('tailLines', String(tailLines));
  if (follow) q.set('follow', 'true');
  let stopped = false;
  (async () => {
    try {
      const response = await fetch(`/api/v1/applications/${enc(app)}/logs?${q}`, {
        headers: headers('GET'), credentials: 'same-origin', signal: controller.signal});
      if (!response.ok) {
        const text = await response.text();
        let message = text;
        try { message = JSON.parse(text).message || text; } catch { /* plain text */ }
        throw new ApiError(response.status, message || `${response.status}`);
      }
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const {value, done} = await reader.read();
        if (done) break;
        buffer += value;
        const parts = buffer.split('\n');
        buffer = parts.pop();
        const entries = [];
        for (const line of parts) {
          if (!line.trim()) continue;
          let frame;
          try { frame = JSON.parse(line); } catch { continue; }
          if (frame.error) throw new Error(frame.error.message || 'the log stream failed');
          if (frame.result && !frame.result.last) entries.push(frame.result);
        }
        if (entries.length && !stopped) onLines(entries);
      }
      if (!stopped) onEnd(null);
    } catch (error) {
      if (!stopped && error.name !== 'AbortError') onEnd(error);
    }
  })();
  return () => { stopped = true; controller.abort(); };
}
