/**
 * What `cioc workflow validate|run|resume` do (loaded only when one of them runs): a workflow
 * document checked, or run in this process against the local store (its authentications, its run
 * history), printed as the run JSON the server's `GET /api/runs/:id` returns.
 */
import { readFile } from 'node:fs/promises';
import { createEngine, type Engine } from '../../engine/engine.js';
import { authStoreResolver } from '../../engine/authentications.js';
import type { RunView } from '../../engine/view.js';
import { EXIT, exitCodeForType, ValidationError } from '../../errors.js';
import type { ConnectorId } from '../../regions.js';
import { AuthStore, storeExists } from '../../store/auth-store.js';
import { WorkflowStore } from '../../store/workflow-store.js';
import { assertWorkflow } from '../../workflows/validate.js';
import { readInput } from '../input.js';
import { printJson, type Io } from '../io.js';

export interface OwnerFlags {
  authOwner?: string;
}

async function readDocument(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ValidationError(
      `The workflow file "${file}" cannot be read (${(error as { code?: string }).code ?? 'unreadable'})`,
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ValidationError(`The workflow file "${file}" is not valid JSON: ${(error as Error).message}`);
  }
}

function openStore(io: Io, flags: OwnerFlags): AuthStore {
  return AuthStore.open({ env: io.env, ...(flags.authOwner === undefined ? {} : { user: flags.authOwner }) });
}

function lookupIn(store: AuthStore): (name: string) => ConnectorId | undefined {
  return (name) => {
    try {
      return store.get(name).connector;
    } catch {
      return undefined;
    }
  };
}

async function withEngine<T>(
  io: Io,
  flags: OwnerFlags,
  use: (engine: Engine, store: AuthStore) => Promise<T>,
): Promise<T> {
  const store = openStore(io, flags);
  const engine = createEngine({
    store: new WorkflowStore(store.database),
    authentications: authStoreResolver(store),
    concurrency: 1,
    client: { emulatorUrl: io.env['CIOC_EMULATOR_URL'] || undefined },
  });
  try {
    return await use(engine, store);
  } finally {
    await engine.close();
    store.close();
  }
}

/** Exit 0 when the run succeeded; otherwise the exit code of the error that failed it. */
function exitFor(run: RunView): number {
  if (run.status === 'succeeded') return EXIT.ok;
  return exitCodeForType(run.error?.type ?? 'unexpected');
}

export async function validateWorkflowFile(io: Io, file: string, flags: OwnerFlags): Promise<void> {
  const document = await readDocument(file);
  let valid;
  if (storeExists(io.env) || flags.authOwner !== undefined) {
    const store = openStore(io, flags);
    try {
      valid = assertWorkflow(document, { authentication: lookupIn(store) });
    } finally {
      store.close();
    }
  } else {
    valid = assertWorkflow(document);
  }
  printJson(io, { valid: true, name: valid.name, steps: valid.steps.length });
}

/** Runs the document and prints the run; returns the exit code. */
export async function runWorkflowFile(
  io: Io,
  file: string,
  flags: OwnerFlags & { input?: string },
): Promise<number> {
  const document = await readDocument(file);
  const body = await readInput(flags.input, io);
  const run = await withEngine(io, flags, async (engine, store) => {
    assertWorkflow(document, { authentication: lookupIn(store) });
    const id = await engine.startRun({ document, ownerId: store.userId }, { type: 'manual', body });
    return engine.waitForRun(id);
  });
  printJson(io, run);
  return exitFor(run);
}

/** Resumes the user's interrupted runs and prints them; returns the exit code. */
export async function resumeWorkflows(io: Io, flags: OwnerFlags): Promise<number> {
  const runs = await withEngine(io, flags, async (engine, store) => {
    const ids = await engine.resumeInterrupted({ ownerId: store.userId });
    return Promise.all(ids.map((id) => engine.waitForRun(id)));
  });
  printJson(io, { runs });
  return runs.reduce<number>((code, run) => (code === EXIT.ok ? exitFor(run) : code), EXIT.ok);
}
