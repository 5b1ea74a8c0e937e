import { Logger } from '@nestjs/common';

// The test output is the runner's: Nest's own console logger stays silent (an application built by
// createApp logs through pino at its LOG_LEVEL instead, `fatal` in test/support/test-app.ts). Tests that
// check a log line spy on Logger.prototype, which still sees every call.
Logger.overrideLogger(false);
