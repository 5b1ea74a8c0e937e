// Query strings can carry the API key or the callback token. Wherever a query string is kept (logs,
// the rejected-callbacks table) these keep their name and lose their value, also when the name is
// percent-encoded, as the server decodes it.
const SECRET_QUERY_PARAMS = new Set(['api_key', 'token']);

export function redactQuery(query: string): string {
  return query.split('&').map(redactPair).join('&');
}

function redactPair(pair: string): string {
  const name = pair.split('=', 1)[0];
  return SECRET_QUERY_PARAMS.has(decodeLoosely(name).toLowerCase()) ? `${name}=[redacted]` : pair;
}

function decodeLoosely(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
