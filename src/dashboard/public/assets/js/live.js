// The service's event stream (GET api/v1/events): a `data` event after every load that changed the data,
// and one on connecting. EventSource reconnects a dropped stream by itself; one the service refused (a
// 401, a 429 for too many screens on one key, a 503 from a replica shutting down) is tried again after
// RETRY_MS. The key travels in the address, since EventSource cannot send headers (the service keeps it
// out of its logs).

const RETRY_MS = 30_000;

// Calls `onData` with each event's { version, dataThrough, lastLoadAt }, `onProgress` with each progress
// event's { runId, mode, phase, detail, percent, secondsLeft } of a long run (null once it has ended),
// `onUp` when the stream is open and `onDown` when it is not. Returns a function that stops following.
export function followEvents(key, { onData, onProgress, onUp, onDown }) {
  let source;
  let retry;
  const connect = () => {
    source = new EventSource(`api/v1/events?api_key=${encodeURIComponent(key)}`);
    source.addEventListener('open', onUp);
    source.addEventListener('data', (event) => onData(JSON.parse(event.data)));
    source.addEventListener('progress', (event) => onProgress(JSON.parse(event.data)));
    source.addEventListener('error', () => {
      onDown();
      if (source.readyState === EventSource.CLOSED) retry = setTimeout(connect, RETRY_MS);
    });
  };
  connect();
  return () => {
    clearTimeout(retry);
    source.close();
  };
}
