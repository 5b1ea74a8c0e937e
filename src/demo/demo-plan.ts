import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

// Which demo world the service runs: its seed, its size and its first day (days since 1970-01-01, UTC).
// Kept in the data folder, so that a restart on a later day continues with the same users instead of
// inventing new ones (which would double the monthly actives for a month).
export type DemoPlan = { seed: number; dau: number; firstDay: number };

const FILE = 'demo.json';

export async function readPlan(dataDir: string): Promise<DemoPlan | null> {
  try {
    const plan = JSON.parse(await readFile(path.join(dataDir, FILE), 'utf8')) as Partial<DemoPlan>;
    const valid = [plan.seed, plan.dau, plan.firstDay].every((value) => Number.isInteger(value)) && plan.dau! > 0;
    return valid ? (plan as DemoPlan) : null;
  } catch {
    return null; // none yet, or unreadable: a new plan replaces it
  }
}

// Written aside, then renamed over the old one: a start killed mid-write leaves the old plan or the
// new one, never half a file (which would start a new world on the next start).
export async function writePlan(dataDir: string, plan: DemoPlan): Promise<void> {
  await mkdir(dataDir, { recursive: true });
  const file = path.join(dataDir, FILE);
  await writeFile(`${file}.tmp`, `${JSON.stringify(plan)}\n`);
  await rename(`${file}.tmp`, file);
}
