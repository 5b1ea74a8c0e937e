import { spawnSync } from 'node:child_process';

// Pid files outlive their processes (a crash, a reboot, a container restart), and pids are reused:
// a pid counts as the owner only while a process of the expected program runs under it.

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// The program name of a running process (`ps` works on Linux and macOS alike), or undefined.
export function programOf(pid: number): string | undefined {
  if (!(pid > 0) || !isAlive(pid)) return undefined;
  const ps = spawnSync('ps', ['-o', 'comm=', '-p', String(pid)], { encoding: 'utf8' });
  const name = ps.status === 0 ? ps.stdout.trim() : '';
  return name === '' ? undefined : name.split('/').pop();
}

// The parent of a running process, or undefined.
export function parentOf(pid: number): number | undefined {
  const ps = spawnSync('ps', ['-o', 'ppid=', '-p', String(pid)], { encoding: 'utf8' });
  const parent = Number(ps.stdout.trim());
  return ps.status === 0 && parent > 0 ? parent : undefined;
}
