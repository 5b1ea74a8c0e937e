import { COUNTRIES, type DemoApp, REJECTION_REASONS, USER_AGENTS } from './catalog.js';
import type { DeviceDay } from './device-day.js';
import { appValues, type Device, isOrganic, makeProfile, type Tracker } from './devices.js';
import { HOUR_S, type TrafficContext } from './traffic-context.js';

// Shares of installs with an attribution update (a network claims the install later, or an iOS user
// grants tracking) and of iOS installs that answer the tracking prompt.
const INSTALL_UPDATE_SHARE = 0.06;
const ATT_UPDATE_SHARE = 0.25;

// The activities around the sessions that no klip counts, or that move a count elsewhere: ad clicks,
// tracking-consent updates, attribution updates, uninstalls and fraud rejections.
export class SideActivities {
  constructor(
    private readonly ctx: TrafficContext,
    private readonly deviceDay: DeviceDay,
  ) {}

  // The ad click that led to a paid install, the iOS tracking prompt, and now and then an install_update
  // that moves the install to another channel (it keeps its day).
  aroundInstall(device: Device): void {
    const { random } = this.ctx;
    const at = device.installedAt;
    if (!isOrganic(device.tracker)) this.click(device.app, device.tracker, at - random.int(8, 3 * HOUR_S), device.profile!.country);
    if (device.app.platform === 'ios' && random.chance(ATT_UPDATE_SHARE)) {
      const attAt = at + random.int(10, 300);
      const values = this.deviceDay.base(device, 'att_update', attAt);
      const appParams: [string, string][] = [['att_status', String(random.pick([2, 3]))]];
      this.ctx.queue.add(device.app, values, { sendAtMs: this.ctx.promptly(attAt), appParams });
    }
    if (random.chance(INSTALL_UPDATE_SHARE)) this.installUpdate(device, at + Math.round(random.logNormal(2 * HOUR_S, 1.2)) + 60);
  }

  // A click on an Adjust link comes from the link, not from an SDK: no adid, no device details.
  click(app: DemoApp, tracker: Tracker, at: number, country = this.ctx.random.weighted(COUNTRIES, (c) => c.weight).code): void {
    const { random } = this.ctx;
    const click = {
      activity_kind: 'click',
      created_at: at,
      country,
      os_name: '',
      ip_address: `${random.int(11, 223)}.${random.int(0, 255)}.${random.int(0, 255)}.${random.int(1, 254)}`,
      user_agent: USER_AGENTS[app.platform],
    };
    this.ctx.queue.add(app, [appValues(app, 'production'), tracker.values, click], { sendAtMs: this.ctx.promptly(at) });
  }

  private installUpdate(device: Device, at: number): void {
    const outdated = device.tracker;
    device.tracker = this.ctx.paidTracker(device.app, outdated);
    const update = { attribution_updated_at: at, outdated_tracker: outdated.token, outdated_tracker_name: outdated.name };
    this.ctx.queue.add(device.app, [...this.deviceDay.base(device, 'install_update', at), update], { sendAtMs: this.ctx.promptly(at) });
  }

  // An uninstall carries only the adid (and the app's own values).
  uninstall(device: Device, at: number): void {
    const uninstall = { activity_kind: 'uninstall', created_at: at, adid: device.profile!.adid };
    this.ctx.queue.add(device.app, [appValues(device.app, device.environment), uninstall], { sendAtMs: this.ctx.promptly(at) });
  }

  // Adjust's fraud prevention refused a paid install: a device that never becomes a user.
  rejectedInstall(app: DemoApp, at: number): void {
    const { random } = this.ctx;
    const rejection = {
      activity_kind: 'rejected_install',
      created_at: at,
      click_time: at - random.int(1, 20),
      rejection_reason: random.pick(REJECTION_REASONS),
    };
    const values = [appValues(app, 'production'), makeProfile(random, app), this.ctx.paidTracker(app).values, rejection];
    this.ctx.queue.add(app, values, { sendAtMs: this.ctx.promptly(at) });
  }

  // A reattribution claim Adjust refused for an existing user: it must not make the user active.
  rejectedReattribution(device: Device, at: number): void {
    const { random } = this.ctx;
    const claim = this.ctx.paidTracker(device.app, device.tracker).values;
    const rejection = { click_time: at - random.int(1, 20), rejection_reason: random.pick(REJECTION_REASONS) };
    const values = [...this.deviceDay.base(device, 'rejected_reattribution', at), claim, rejection];
    this.ctx.queue.add(device.app, values, { sendAtMs: this.ctx.promptly(at) });
  }
}
