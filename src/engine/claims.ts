/** Who holds a run: `host:pid:engine`, and whether that holder is certainly gone. */
import { hostname } from 'node:os';
import { CiocError, EXIT } from '../errors.js';

/**
 * This engine no longer holds the run (another engine claimed it): it stops at once, sending
 * nothing more and writing nothing more to the run.
 */
export class ClaimLostError extends CiocError {
  readonly type = 'claim_lost';
  readonly exitCode = EXIT.unexpected;
  constructor(runId: string) {
    super(`Run ${runId} was taken over by another engine; this engine stopped it`);
  }
}

/** A run claimed by a process of this host that no longer exists (killed, crashed). */
export function isDeadHere(claimedBy: string | null): boolean {
  if (claimedBy === null) return true;
  const [host, pid] = claimedBy.split(':');
  if (host !== hostname() || pid === undefined) return false;
  if (Number(pid) === process.pid) return false;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (error) {
    return (error as { code?: string }).code === 'ESRCH';
  }
}
