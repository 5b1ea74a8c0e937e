// The service's public API, as Klipfolio reads it: relative URLs (the page may sit behind a proxy's
// path), the key in X-API-Key, JSON answers. Every failure becomes an ApiError with a sentence to show.

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

// GET api/v1/<path>?<params>: { body, etag }. `no-store`: the page decides itself when to ask again
// (a browser cache could answer with an older freshness).
export async function getJson(path, params, key, signal) {
  const query = new URLSearchParams(Object.entries(params).filter(([, value]) => value !== undefined && value !== ''));
  const search = query.toString();
  const url = `api/v1/${path}${search ? `?${search}` : ''}`;
  let response;
  try {
    response = await fetch(url, { headers: { 'X-API-Key': key, Accept: 'application/json' }, cache: 'no-store', signal });
  } catch (error) {
    if (error.name === 'AbortError') throw error;
    throw new ApiError(0, 'The service did not answer (is it running, is the network up?). Trying again shortly.');
  }
  if (!response.ok) throw new ApiError(response.status, await errorMessage(response));
  return { body: await response.json(), etag: response.headers.get('ETag') };
}

// The service's errors are JSON { statusCode, error, message } whose message says what to fix.
async function errorMessage(response) {
  const text = await response.text();
  try {
    const { message } = JSON.parse(text);
    if (message) return `${response.status}: ${message}`;
  } catch {
    // not JSON (a proxy's error page): the status says enough
  }
  const retry = response.headers.get('Retry-After');
  return `The service answered ${response.status} ${response.statusText}${retry ? `; retry after ${retry} s` : ''}`;
}
