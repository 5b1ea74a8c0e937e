import { utcTimestamp } from '../../database/pg-client.js';
import { type Step, step } from './refresh-step.js';

// The event names that count as registrations: config validation keeps REGISTRATION_EVENTS to a few
// thousand bytes, so one multi-row INSERT holds them all.
const wantedEvents = (events: string[]) => [...new Set(events)].sort();

// The settings' part of a refresh (sql/metrics/refresh/settings/): REGISTRATION_EVENTS written again
// only when it changed, before any step counts registrations.
export const REGISTRATION_EVENTS: Step[] = [
  step('refresh/settings/registration-events', {
    read: (rows, state) => {
      const stored = rows.map((row) => row.name as string).sort();
      state.eventsChanged = JSON.stringify(stored) !== JSON.stringify(wantedEvents(state.settings.registrationEvents));
    },
  }),
  {
    when: ({ eventsChanged }) => eventsChanged,
    steps: [
      step('refresh/settings/clear-registration-events'),
      {
        when: ({ settings }) => settings.registrationEvents.length > 0,
        values: 'refresh/settings/add-registration-events',
        width: 1,
        perInsert: Number.POSITIVE_INFINITY,
        rows: ({ settings }) => wantedEvents(settings.registrationEvents).map((name) => [name]),
      },
    ],
  },
];

// After a full build: the settings it was built with, so a later change of them is noticed.
export const RECORD_BUILD_SETTINGS: Step[] = [
  step('refresh/settings/clear-build-settings'),
  step('refresh/settings/record-build-settings', {
    params: ({ request, settings }) => [
      request.runId,
      utcTimestamp(new Date()),
      settings.timezone,
      settings.registrationEvents.join(','),
      settings.sessionLengthField,
    ],
  }),
];
