import { CollectorModule } from '../collector/collector.module.js';
import { CollectorService, type ReplayReport } from '../collector/collector.service.js';
import { progress, runCli } from './cli.js';

// npm run callbacks:replay — re-ingests rejected callbacks that parse now (after a fix), reports counts.
const describe = (report: ReplayReport) =>
  `examined ${report.examined}: ${report.stored} stored, ${report.duplicates} already stored, ${report.stillRejected} still rejected`;

await runCli(CollectorModule.forRoot({ pruneRejected: false }), async (context) => {
  const report = await context
    .get(CollectorService)
    .replayRejected((sofar) => progress(`Replaying rejected callbacks… ${describe(sofar)}`));
  progress(`Replayed rejected callbacks: ${describe(report)}`, true);
});
