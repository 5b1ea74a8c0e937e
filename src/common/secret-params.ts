// Query strings can carry the API key or the callback token. Wherever a query string or its parameters
// are kept (logs, the rejected-callbacks table, a callback's extra data) these keep their name and lose
// their value, in every spelling a client may use: any letter case, percent-encoded (once or more),
// `+` for a space, as an array (token[]=, token[0]=), and the api-key/apikey slips.
const SECRET_NAMES = new Set(['api_key', 'api-key', 'apikey', 'token']);
// a name encoded more often than this is not one a client meant
const MAX_DECODINGS = 3;

export function isSecretParam(name: string): boolean {
  let decoded = name;
  for (let round = 0; round < MAX_DECODINGS && decoded.includes('%'); round++) decoded = decodeLoosely(decoded);
  const bare = decoded
    .replaceAll('+', ' ')
    .trim()
    .toLowerCase()
    .replace(/(\[[^\]]*\])+$/, '');
  return SECRET_NAMES.has(bare.trim());
}

export function redactQuery(query: string): string {
  return query.split('&').map(redactPair).join('&');
}

function redactPair(pair: string): string {
  const name = pair.split('=', 1)[0];
  return isSecretParam(name) ? `${name}=[redacted]` : pair;
}

function decodeLoosely(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
