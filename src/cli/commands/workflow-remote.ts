/**
 * `cioc workflow push|list|runs|replay` against a server: the same workflows and runs as the API,
 * printed as the API's JSON.
 */
import type { Command } from 'commander';
import { EXIT, exitCodeForType, ValidationError } from '../../errors.js';
import { readInput } from '../input.js';
import { printJson, type Io } from '../io.js';
import { remoteCall, type RemoteFlags } from '../remote.js';

const enc = encodeURIComponent;

/** Like `cioc workflow run`: 0 when the run succeeded, else the exit code of the error that failed it. */
function exitFor(run: unknown): number {
  const { status, error } = run as { status?: string; error?: { type?: string } | null };
  if (status !== 'failed') return EXIT.ok;
  return exitCodeForType(error?.type ?? 'unexpected');
}

function remoteOptions(command: Command): Command {
  return command
    .option('--server <url>', 'the cioc server (env CIOC_SERVER; default http://127.0.0.1:3000)')
    .option('--token <token>', 'an API token (env CIOC_TOKEN)');
}

export function registerRemoteWorkflowCommands(
  program: Command,
  io: Io,
  setExit: (code: number) => void,
): void {
  const workflow =
    program.commands.find((c) => c.name() === 'workflow') ??
    program.command('workflow').description('Workflows.');

  remoteOptions(
    workflow
      .command('push')
      .description(
        'Save a workflow document on a server: a new version of the workflow of that name, or a new workflow.',
      )
      .argument('<file>', 'the workflow JSON document')
      .option('--id <id>', 'the workflow to update (default: the one with the same name, if any)')
      .option('--visibility <visibility>', 'private or organisation'),
  ).action(async (file: string, flags: RemoteFlags & { id?: string; visibility?: string }) => {
    const document = await readInput(`@${file}`, io);
    if (
      flags.visibility !== undefined &&
      flags.visibility !== 'private' &&
      flags.visibility !== 'organisation'
    )
      throw new ValidationError(`--visibility must be private or organisation, not "${flags.visibility}"`);
    const query = flags.visibility === undefined ? '' : `?visibility=${flags.visibility}`;
    let id = flags.id;
    if (id === undefined) {
      const name = (document as { name?: unknown } | null)?.name;
      const { workflows } = (await remoteCall(io, flags, 'GET', '/api/workflows')) as {
        workflows: { id: string; name: string }[];
      };
      const same = workflows.filter((w) => w.name === name);
      if (same.length > 1)
        throw new ValidationError(
          `${String(same.length)} workflows are named ${JSON.stringify(name)}: choose one with --id (${same.map((w) => w.id).join(', ')})`,
        );
      id = same[0]?.id;
    }
    const saved =
      id === undefined
        ? await remoteCall(io, flags, 'POST', `/api/workflows${query}`, document)
        : await remoteCall(io, flags, 'PUT', `/api/workflows/${enc(id)}${query}`, document);
    printJson(io, saved);
  });

  remoteOptions(workflow.command('list').description('The workflows on a server you may see.')).action(
    async (flags: RemoteFlags) => {
      printJson(io, await remoteCall(io, flags, 'GET', '/api/workflows'));
    },
  );

  remoteOptions(
    workflow
      .command('runs')
      .description("A workflow's runs on a server, newest first; or one run with --run.")
      .argument('[workflow-id]')
      .option('--run <run-id>', 'show this run with its steps')
      .option('--limit <n>', 'runs per page (default 50)')
      .option('--before <cursor>', 'the `next` cursor of the previous page'),
  ).action(
    async (
      workflowId: string | undefined,
      flags: RemoteFlags & { run?: string; limit?: string; before?: string },
    ) => {
      if (flags.run !== undefined) {
        printJson(io, await remoteCall(io, flags, 'GET', `/api/runs/${enc(flags.run)}`));
        return;
      }
      if (workflowId === undefined) throw new ValidationError('Give a workflow id (or --run <run-id>)');
      const query = new URLSearchParams();
      if (flags.limit !== undefined) query.set('limit', flags.limit);
      if (flags.before !== undefined) query.set('before', flags.before);
      const suffix = query.size === 0 ? '' : `?${query.toString()}`;
      printJson(io, await remoteCall(io, flags, 'GET', `/api/workflows/${enc(workflowId)}/runs${suffix}`));
    },
  );

  remoteOptions(
    workflow
      .command('trigger')
      .description('Start a run of a workflow on a server (manual trigger).')
      .argument('<workflow-id>')
      .option('--input <json>', 'the trigger body ($.trigger.body): JSON, @file or - for stdin')
      .option('--wait', 'wait for the run to finish and print it'),
  ).action(async (workflowId: string, flags: RemoteFlags & { input?: string; wait?: boolean }) => {
    const body = await readInput(flags.input, io);
    const run = await remoteCall(
      io,
      flags,
      'POST',
      `/api/workflows/${enc(workflowId)}/runs${flags.wait === true ? '?wait=true' : ''}`,
      body,
    );
    printJson(io, run);
    if (flags.wait === true) setExit(exitFor(run));
  });

  remoteOptions(
    workflow
      .command('replay')
      .description('Replay a finished run on a server from its first failed step.')
      .argument('<run-id>')
      .option('--latest', "run the workflow's latest version (default: the version the run ran)")
      .option('--resend-unknown', 'send again a step whose delivery is unknown (it may have arrived)')
      .option('--wait', 'wait for the replay to finish and print it'),
  ).action(
    async (
      runId: string,
      flags: RemoteFlags & { latest?: boolean; resendUnknown?: boolean; wait?: boolean },
    ) => {
      const run = await remoteCall(io, flags, 'POST', `/api/runs/${enc(runId)}/replay`, {
        ...(flags.latest === true ? { version: 'latest' } : {}),
        ...(flags.resendUnknown === true ? { resend_unknown: true } : {}),
        ...(flags.wait === true ? { wait: true } : {}),
      });
      printJson(io, run);
      if (flags.wait === true) setExit(exitFor(run));
    },
  );
}
