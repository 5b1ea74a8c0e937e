import { readFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import { Logger } from '@nestjs/common';
import type pg from 'pg';

const logger = new Logger('Databases');
const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

// A database session's process on this machine, when it is one: the server listens on a loopback address
// or a socket folder, and the process of that id is a PostgreSQL backend (a server in a container, whose
// ids are its own, is left alone).
function localBackend(url: string, pid: number | null): number | null {
  if (!pid) return null;
  const host = new URL(url).hostname;
  if (!LOOPBACK.has(host) && !(host === '' || decodeURIComponent(host).startsWith('/'))) return null;
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'postgres' ? pid : null;
  } catch {
    return null;
  }
}

// A pool's `onConnect`: each new session's server process runs at `nice` too, when the server is on this
// machine (the embedded default, a local PostgreSQL), so that the statements of a repair yield the cores
// to the collector's and the live loads'. A server elsewhere (Redshift) is out of reach and needs none of
// it. Lowering a process's priority needs no privilege when it is the same user's; when it is not, the
// session keeps its priority and this says so once.
export function lowerBackendPriority(url: string, nice: number): (client: pg.Client) => void {
  let warned = false;
  return (client) => {
    const pid = localBackend(url, (client as pg.Client & { processID: number | null }).processID);
    if (pid === null) return;
    try {
      setPriority(pid, nice);
    } catch (error) {
      if (!warned) logger.warn(`Could not lower the priority of database process ${pid}: ${(error as Error).message}`);
      warned = true;
    }
  };
}
