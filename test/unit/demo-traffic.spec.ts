import { describe, expect, it } from '@jest/globals';
import { REGISTRATION_EVENT_NAME } from '../../src/demo/catalog.js';
import { createDemoWorld, type DemoCallback, generateCallbacks, historyOf, summarize } from '../../src/demo/demo-traffic.js';
import { ACTIVE_KINDS, activeByDay, type Activity, activitiesOf, channelOf, counted, dayOf, ofKind } from '../support/demo-callbacks.js';

// 2026-11-20T12:00:00Z, a Friday
const NOW_MS = Date.parse('2026-11-20T12:00:00Z');
const DAY_MS = 86_400_000;
const OPTIONS = { seed: 42, dau: 200, days: 90, nowMs: NOW_MS };

// one 90-day history for the tests that only read it: what was sent by the clock, and (for the session
// chains) what phones still offline at the clock send in the next two days
const extended = createDemoWorld(OPTIONS).until(NOW_MS + 2 * DAY_MS);
const history = extended.filter((c) => c.sendAtMs <= NOW_MS);
const activities = activitiesOf(history);
const production = counted(activities);
const kindOf = (a: Activity) => a.params.get('activity_kind')!;
// full days only: the last day is cut at noon
const fullDays = [...activeByDay(production)].filter(([day]) => day < dayOf(NOW_MS / 1000));

describe('demo traffic', () => {
  describe('determinism', () => {
    it('sends the same callbacks at the same moments for the same seed and clock', () => {
      const again = generateCallbacks(OPTIONS);
      expect(again.length).toBe(history.length);
      expect(again.map((c) => `${c.sendAtMs} ${c.path}`)).toEqual(history.map((c) => `${c.sendAtMs} ${c.path}`));
    });

    it('sends other callbacks for another seed', () => {
      const other = generateCallbacks({ ...OPTIONS, seed: 43, days: 3 });
      const same = generateCallbacks({ ...OPTIONS, days: 3 });
      const paths = new Set(same.map((c) => c.path));
      expect(other.filter((c) => paths.has(c.path))).toEqual([]);
    });

    it('sends the same callbacks whether taken tick by tick or all at once', () => {
      const start = NOW_MS - 2 * DAY_MS;
      const ticked: DemoCallback[] = [];
      const world = createDemoWorld({ ...OPTIONS, days: 3, nowMs: start });
      for (let at = start; at <= NOW_MS; at += 7 * 60_000) ticked.push(...world.until(at));
      ticked.push(...world.until(NOW_MS));
      const atOnce = createDemoWorld({ ...OPTIONS, days: 3, nowMs: start }).until(NOW_MS);
      expect(ticked.map((c) => c.path)).toEqual(atOnce.map((c) => c.path));
    });
    it('carries on after a skip with the callbacks it would have sent anyway', async () => {
      const options = { ...OPTIONS, days: 3, nowMs: NOW_MS - DAY_MS };
      const skipped = createDemoWorld(options);
      await skipped.skipUntil(NOW_MS - 6 * 3_600_000);
      const after = createDemoWorld(options)
        .until(NOW_MS)
        .filter((c) => c.sendAtMs > NOW_MS - 6 * 3_600_000);
      expect(after.length).toBeGreaterThan(0);
      expect(skipped.until(NOW_MS).map((c) => c.path)).toEqual(after.map((c) => c.path));
    });

    it('makes the same history an hour at a time as it is taken, telling how far it got', () => {
      const options = { ...OPTIONS, days: 3 };
      const hourly = historyOf(createDemoWorld(options), options);
      expect(hourly.share).toBe(0);
      const taken: DemoCallback[] = [];
      const shares: number[] = [];
      for (const callback of hourly) {
        taken.push(callback);
        shares.push(hourly.share);
      }
      expect(taken.map((c) => c.path)).toEqual(generateCallbacks(options).map((c) => c.path));
      expect(shares.every((share, i) => i === 0 || shares[i - 1] <= share)).toBe(true);
      expect(hourly.share).toBe(1);
    });
  });

  describe('timing', () => {
    it('sends each callback after its activity happened, in sending order, nothing after the clock', () => {
      expect(history.filter((c) => c.sendAtMs < c.createdAt * 1000)).toEqual([]);
      expect(history.every((c, i) => i === 0 || history[i - 1].sendAtMs <= c.sendAtMs)).toBe(true);
      expect(Math.max(...history.map((c) => c.sendAtMs))).toBeLessThanOrEqual(NOW_MS);
      // the first of the 90 days is 2026-08-23; only the ad click of an install comes before it
      expect(dayOf(Math.min(...history.filter((c) => c.kind !== 'click').map((c) => c.createdAt)))).toBe('2026-08-23');
      expect(dayOf(Math.min(...history.map((c) => c.createdAt)))).toBe('2026-08-22');
    });

    it('sends some sessions hours late, as phones that were offline do', () => {
      const late = ofKind(production, 'session').filter(({ callback }) => callback.sendAtMs - callback.createdAt * 1000 >= 3_600_000);
      const sessions = ofKind(production, 'session').length;
      expect(late.length / sessions).toBeGreaterThan(0.01);
      expect(late.length / sessions).toBeLessThan(0.05);
    });
  });

  describe('the mix', () => {
    it('has every activity kind the klips count or must leave out', () => {
      const kinds = new Set(activities.map(kindOf));
      for (const kind of ['install', 'session', 'event', 'reattribution', 'install_update', 'click', 'att_update', 'uninstall']) {
        expect([kind, kinds.has(kind)]).toEqual([kind, true]);
      }
      expect(kinds).toContain('rejected_install');
      expect(kinds).toContain('rejected_reattribution');
      expect(kinds).toContain('reinstall');
      expect(kinds).toContain('reattribution_reinstall');
    });

    it('has sandbox activities of the team’s test phones, never of production devices', () => {
      const sandbox = activities.filter((a) => a.params.get('environment') === 'sandbox');
      expect(new Set(sandbox.map(kindOf))).toEqual(new Set(['install', 'session', 'event']));
      const productionDevices = new Set(production.map((a) => a.params.get('adid')));
      expect(sandbox.filter((a) => productionDevices.has(a.params.get('adid')))).toEqual([]);
    });

    it('repeats some callbacks byte for byte (retries) and sends some registrations twice (event callback)', () => {
      const bySeq = new Map(history.map((c) => [c.seq, c]));
      const repeats = history.filter((c) => c.repeatOf !== null);
      const retries = repeats.filter((c) => bySeq.get(c.repeatOf!)!.path === c.path);
      const eventCopies = repeats.filter((c) => bySeq.get(c.repeatOf!)!.path !== c.path);
      expect(retries.length).toBeGreaterThan(50);
      expect(eventCopies.length).toBeGreaterThan(50);
      expect(new Set(eventCopies.map((c) => new URLSearchParams(c.path.split('?')[1]).get('event_name')))).toEqual(
        new Set([REGISTRATION_EVENT_NAME]),
      );
    });

    it('gives each activity its own identity (app, kind, adid, created_at, event), shared only by its repeats', () => {
      const identity = ({ params }: Activity) =>
        ['app_token', 'activity_kind', 'adid', 'created_at', 'event'].map((key) => params.get(key) ?? '').join('|');
      const firsts = activities.filter((a) => a.callback.repeatOf === null && a.params.get('adid'));
      expect(new Set(firsts.map(identity)).size).toBe(firsts.length);
      const bySeq = new Map(activities.map((a) => [a.callback.seq, a]));
      const repeats = activities.filter((a) => a.callback.repeatOf !== null);
      expect(repeats.filter((a) => identity(a) !== identity(bySeq.get(a.callback.repeatOf!)!))).toEqual([]);
    });

    it('sends purchases with their price in dollars (revenue_usd) beside the store currency, as Adjust does', () => {
      const purchases = ofKind(production, 'event').filter((a) => a.params.get('revenue_float'));
      expect(purchases.length).toBeGreaterThan(100);
      const withUsd = purchases.filter((a) => Number(a.params.get('revenue_usd')) > 0);
      // every app whose URL carries revenue sends the dollar value too
      expect(withUsd.length).toBe(purchases.length);
      const foreign = withUsd.filter((a) => a.params.get('currency')!.toLowerCase() !== 'usd');
      expect(foreign.length).toBeGreaterThan(0);
      for (const a of foreign) expect(Number(a.params.get('revenue_usd'))).toBeGreaterThan(Number(a.params.get('revenue_float')));
    });

    it('sends registrations as events with each app’s own token', () => {
      const registrations = ofKind(production, 'event').filter((a) => a.params.get('event_name') === REGISTRATION_EVENT_NAME);
      const tokens = new Map(registrations.map((a) => [a.params.get('app_token'), a.params.get('event')]));
      expect(tokens.size).toBe(6);
      expect(new Set(tokens.values()).size).toBe(6);
      expect([...tokens.values()].every((token) => /^[a-z0-9]{6}$/.test(token!))).toBe(true);
      // once per user
      const users = registrations.map((a) => a.params.get('adid'));
      expect(new Set(users).size).toBe(users.length);
    });

    it('reports each session’s length on the next session’s callback, with some zero lengths', () => {
      // every session of the 90 days, including those of phones still offline at the clock
      const delivered = extended.filter((c) => c.createdAt * 1000 <= NOW_MS);
      const sessionsOf = new Map<string, Activity[]>();
      for (const session of counted(activitiesOf(delivered)).filter((a) => ACTIVE_KINDS.has(kindOf(a)))) {
        const adid = session.params.get('adid')!;
        if (!sessionsOf.has(adid)) sessionsOf.set(adid, []);
        sessionsOf.get(adid)!.push(session);
      }
      let chained = 0;
      const broken: string[] = [];
      for (const sessions of sessionsOf.values()) {
        sessions.sort((x, y) => x.callback.createdAt - y.callback.createdAt);
        for (let i = 1; i < sessions.length; i++) {
          if (kindOf(sessions[i]) !== 'session') continue;
          chained++;
          if (Number(sessions[i].params.get('last_session_time')) !== sessions[i - 1].callback.createdAt)
            broken.push(sessions[i].callback.path);
        }
      }
      expect(broken).toEqual([]);
      expect(chained).toBeGreaterThan(10_000);
      const lengths = ofKind(production, 'session').map((a) => Number(a.params.get('last_time_spent')));
      expect(lengths.filter((length) => length === 0).length).toBeGreaterThan(0);
      expect(lengths.filter((length) => length > 0).length / lengths.length).toBeGreaterThan(0.95);
    });

    it('moves some installs to another channel with a later install_update, a few of them to another day', () => {
      const installs = new Map(ofKind(production, 'install').map((a) => [a.params.get('adid'), a]));
      const updates = ofKind(production, 'install_update');
      const moved = updates.filter((u) => {
        const install = installs.get(u.params.get('adid'));
        return install && channelOf(install.params) !== channelOf(u.params) && u.callback.createdAt > install.callback.createdAt;
      });
      expect(moved.length).toBeGreaterThan(50);
      expect(moved.filter((u) => u.day !== installs.get(u.params.get('adid'))!.day).length).toBeGreaterThan(0);
    });

    it('spreads installs over Organic and the paid networks, with campaign names as networks send them', () => {
      const installs = ofKind(production, 'install');
      const channels = new Set(installs.map((a) => channelOf(a.params)));
      expect(channels).toEqual(
        new Set([
          'Organic',
          'Facebook Installs',
          'Google Ads UAC',
          'AppLovin',
          'TikTok for Business',
          'Apple Search Ads',
          'Unity Ads',
          'Instagram Installs',
        ]),
      );
      const organic = installs.filter((a) => channelOf(a.params) === 'Organic').length / installs.length;
      expect(organic).toBeGreaterThan(0.3);
      expect(organic).toBeLessThan(0.5);
      const paid = installs.find((a) => a.params.get('network_name') === 'AppLovin')!;
      expect(paid.params.get('tracker_name')).toMatch(/^AppLovin::[^:]+ \(\d+\)::[^:]+::[^:]+$/);
      expect(paid.callback.path).toContain('tracker_name=AppLovin%3A%3A');
    });

    it('sends the older callback URL of one app without network_name, so the channel comes from tracker_name', () => {
      const budget = ofKind(production, 'install').filter((a) => a.params.get('app_name') === 'com.example.budget');
      expect(budget.length).toBeGreaterThan(0);
      expect(budget.every((a) => !a.params.has('network_name') && a.params.get('tracker_name'))).toBe(true);
    });
  });

  describe('users', () => {
    it('has about the daily active users asked for', () => {
      const mean = fullDays.reduce((sum, [, devices]) => sum + devices.size, 0) / fullDays.length;
      expect(mean).toBeGreaterThan(OPTIONS.dau * 0.85);
      expect(mean).toBeLessThan(OPTIONS.dau * 1.15);
    });

    it('brings users back along a retention curve: D1 > D7 > D30 > 0', () => {
      const active = activeByDay(production);
      const lastDay = fullDays[fullDays.length - 1][0];
      const retention = (n: number) => {
        const cohort = ofKind(production, 'install').filter((a) => dayOf(a.callback.createdAt + n * 86_400) <= lastDay);
        const back = cohort.filter((a) => active.get(dayOf(a.callback.createdAt + n * 86_400))?.has(a.params.get('adid')!));
        return back.length / cohort.length;
      };
      const [d1, d7, d30] = [retention(1), retention(7), retention(30)];
      expect(d1).toBeGreaterThan(0.2);
      expect(d1).toBeLessThan(0.4);
      expect(d7).toBeLessThan(d1 * 0.6);
      expect(d30).toBeLessThan(d7 * 0.7);
      expect(d30).toBeGreaterThan(0.01);
    });

    it('follows a weekly rhythm: more users and installs at the weekend than on weekdays', () => {
      const weekend = (day: string) => [0, 6].includes(new Date(`${day}T00:00:00Z`).getUTCDay());
      const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
      const dau = (pick: (day: string) => boolean) => mean(fullDays.filter(([day]) => pick(day)).map(([, devices]) => devices.size));
      expect(dau(weekend)).toBeGreaterThan(dau((day) => !weekend(day)) * 1.1);
      const installsOn = new Map<string, number>();
      for (const a of ofKind(production, 'install')) installsOn.set(a.day, (installsOn.get(a.day) ?? 0) + 1);
      const installs = (pick: (day: string) => boolean) =>
        mean(fullDays.filter(([day]) => pick(day)).map(([day]) => installsOn.get(day) ?? 0));
      expect(installs(weekend)).toBeGreaterThan(installs((day) => !weekend(day)) * 1.1);
    });
  });

  it('summarizes what it generated', () => {
    const summary = summarize(history);
    expect(summary.callbacks).toBe(history.length);
    expect(summary.activities + summary.repeats).toBe(history.length);
    expect(summary.repeats).toBe(history.filter((c) => c.repeatOf !== null).length);
    expect(summary.byKind.install).toBe(ofKind(production, 'install').length);
    expect(summary.sandbox).toBe(
      activities.filter((a) => a.callback.repeatOf === null && a.params.get('environment') === 'sandbox').length,
    );
  });
});
