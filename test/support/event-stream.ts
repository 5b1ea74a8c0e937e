import http from 'node:http';

export type ServerSentEvent = { type: string; id: string | null; data: string };

// A Server-Sent Events client over plain node:http, reading the stream as the W3C format defines it
// (events end at a blank line; lines starting with ':' are comments). Events are kept in arrival order
// and read one by one with next().
export class EventStream {
  readonly events: ServerSentEvent[] = [];
  readonly comments: string[] = [];
  // resolves when the service ends the stream
  readonly ended: Promise<void>;
  private read = 0;
  private buffered = '';
  private wake?: () => void;

  private constructor(
    readonly status: number,
    readonly headers: http.IncomingHttpHeaders,
    private readonly response: http.IncomingMessage,
    private readonly request: http.ClientRequest,
  ) {
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => this.receive(chunk));
    this.ended = new Promise((resolve) => response.once('close', resolve));
    void this.ended.then(() => this.wake?.());
  }

  // Resolves once the answer's headers have arrived: a 200 stream, or an error answer (read with body()).
  static open(baseUrl: string, path: string, headers: http.OutgoingHttpHeaders = {}): Promise<EventStream> {
    const url = new URL(path, baseUrl);
    return new Promise((resolve, reject) => {
      const request = http.get(url, { headers: { accept: 'text/event-stream', ...headers }, agent: false });
      request.once('response', (response) => resolve(new EventStream(response.statusCode ?? 0, response.headers, response, request)));
      request.once('error', reject);
    });
  }

  // The whole body of an answer that is not a stream (a 401, a 429).
  async body(): Promise<Record<string, unknown>> {
    await this.ended;
    return JSON.parse(this.buffered) as Record<string, unknown>;
  }

  // The next event not read yet, waiting for it up to `timeoutMs`.
  async next(timeoutMs = 10_000): Promise<ServerSentEvent> {
    const deadline = Date.now() + timeoutMs;
    while (this.read === this.events.length) {
      if (this.response.closed) throw new Error(`the stream ended without another event (${this.read} read)`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no event within ${timeoutMs} ms (${this.read} read)`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return this.events[this.read++];
  }

  get unread(): ServerSentEvent[] {
    return this.events.slice(this.read);
  }

  close(): void {
    this.request.destroy();
  }

  private receive(chunk: string): void {
    this.buffered += chunk;
    if (this.status !== 200) return;
    const blocks = this.buffered.split(/\r?\n\r?\n/);
    this.buffered = blocks.pop() ?? '';
    for (const block of blocks) this.parse(block);
    this.wake?.();
  }

  private parse(block: string): void {
    const event: ServerSentEvent = { type: 'message', id: null, data: '' };
    const data: string[] = [];
    for (const line of block.split(/\r?\n/)) {
      if (line === '') continue;
      if (line.startsWith(':')) {
        this.comments.push(line.slice(1).trim());
        continue;
      }
      const [field, ...rest] = line.split(':');
      const value = rest.join(':').replace(/^ /, '');
      if (field === 'event') event.type = value;
      else if (field === 'id') event.id = value;
      else if (field === 'data') data.push(value);
    }
    if (data.length === 0) return;
    event.data = data.join('\n');
    this.events.push(event);
  }
}
