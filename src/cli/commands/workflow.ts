/**
 * `cioc workflow validate FILE`, `cioc workflow run FILE [--input JSON] [--auth-owner E]` and
 * `cioc workflow resume`. The engine and its store are loaded only when one of them runs.
 */
import type { Command } from 'commander';
import type { Io } from '../io.js';

interface OwnerFlags {
  authOwner?: string;
}

const actions = () => import('./workflow-actions.js');

export function registerWorkflowCommands(program: Command, io: Io, setExit: (code: number) => void): void {
  const workflow = program
    .command('workflow')
    .description('Validate and run workflow documents (steps chained into runs).');

  workflow
    .command('validate')
    .description('Check a workflow document: schema, operations, references, static inputs, authentications.')
    .argument('<file>', 'the workflow JSON document')
    .option('--auth-owner <user>', "check authentications as this user's (default CIOC_USER)")
    .action(async (file: string, flags: OwnerFlags) => {
      await (await actions()).validateWorkflowFile(io, file, flags);
    });

  workflow
    .command('run')
    .description('Run a workflow in this process (manual trigger) and print the run as JSON.')
    .argument('<file>', 'the workflow JSON document')
    .option('--input <json>', 'the trigger body ($.trigger.body): JSON, @file or - for stdin')
    .option('--auth-owner <user>', 'run as this user, with their authentications (default CIOC_USER)')
    .action(async (file: string, flags: OwnerFlags & { input?: string }) => {
      setExit(await (await actions()).runWorkflowFile(io, file, flags));
    });

  workflow
    .command('resume')
    .description("Finish the user's runs that a stopped process left unfinished, and print them.")
    .option('--auth-owner <user>', "resume this user's runs (default CIOC_USER)")
    .action(async (flags: OwnerFlags) => {
      setExit(await (await actions()).resumeWorkflows(io, flags));
    });
}
