/**
 * `cioc user create` and `cioc token create|list|revoke`: accounts in the local store, the same
 * users the server signs in (and the CLI acts as with CIOC_USER=<email>).
 */
import type { Command } from 'commander';
import { ConfigError, ValidationError } from '../../errors.js';
import { printJson, type Io } from '../io.js';
import { isInteractive, Prompter } from '../prompt.js';

async function readStdin(io: Io): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** On a terminal: asked twice without echo. Elsewhere the password must come with --password-stdin. */
async function askPassword(io: Io): Promise<string> {
  if (!isInteractive(io))
    throw new ValidationError('Give the password on standard input with --password-stdin (never as a flag)');
  const prompter = new Prompter(io);
  try {
    const password = await prompter.ask('Password', { secret: true });
    if ((await prompter.ask('Repeat the password', { secret: true })) !== password)
      throw new ValidationError('The two passwords differ');
    return password;
  } finally {
    prompter.close();
  }
}

async function withAccounts<T>(
  io: Io,
  use: (accounts: import('../../store/accounts-store.js').AccountsStore) => Promise<T>,
): Promise<T> {
  // Loaded on demand: the store's query layer is not needed by the other commands.
  const [{ AccountsStore }, { openStoreConnection }] = await Promise.all([
    import('../../store/accounts-store.js'),
    import('../../store/auth-store.js'),
  ]);
  const connection = openStoreConnection({ env: io.env });
  try {
    return await use(new AccountsStore(connection));
  } finally {
    connection.db.close();
  }
}

async function userId(
  accounts: import('../../store/accounts-store.js').AccountsStore,
  email: string,
): Promise<number> {
  const user = await accounts.findByEmail(email);
  if (user === undefined)
    throw new ConfigError(`There is no user ${email} (create one with \`cioc user create\`)`);
  return user.id;
}

export function registerAccountCommands(program: Command, io: Io): void {
  const user = program
    .command('user')
    .description('Accounts of the server (and of the CLI, as CIOC_USER=<email>).');
  user
    .command('create')
    .description('Create a user with an email and a password (the first user is the admin).')
    .requiredOption('--email <email>', 'the login, lower-cased')
    .option(
      '--password-stdin',
      'read the password from standard input (without it: asked twice, not echoed, on a terminal)',
    )
    .option('--admin', 'make the user an organisation admin')
    .action(async (flags: { email: string; passwordStdin?: boolean; admin?: boolean }) => {
      const password =
        flags.passwordStdin === true ? (await readStdin(io)).replace(/\r?\n$/, '') : await askPassword(io);
      const created = await withAccounts(io, (accounts) =>
        accounts.createUser({ email: flags.email, password, admin: flags.admin === true }),
      );
      printJson(io, { id: created.id, email: created.email, role: created.role });
    });

  const token = program.command('token').description('API tokens for the server (Authorization: Bearer …).');
  token
    .command('create')
    .description('Create an API token for a user and print it once (only its hash is kept).')
    .requiredOption('--user <email>', "the token's user")
    .option('--name <name>', 'what it is for', 'API token')
    .action(async (flags: { user: string; name: string }) => {
      const created = await withAccounts(io, async (accounts) =>
        accounts.createToken(await userId(accounts, flags.user), flags.name),
      );
      printJson(io, {
        id: created.id,
        name: created.name,
        token: created.token,
        created_at: created.createdAt,
      });
    });
  token
    .command('list')
    .description("A user's tokens (never the tokens themselves).")
    .requiredOption('--user <email>')
    .action(async (flags: { user: string }) => {
      const tokens = await withAccounts(io, async (accounts) =>
        accounts.listTokens(await userId(accounts, flags.user)),
      );
      printJson(io, {
        tokens: tokens.map((t) => ({
          id: t.id,
          name: t.name,
          created_at: t.createdAt,
          last_used_at: t.lastUsedAt,
          revoked_at: t.revokedAt,
        })),
      });
    });
  token
    .command('revoke')
    .description('Revoke a token by id.')
    .argument('<id>')
    .requiredOption('--user <email>')
    .action(async (id: string, flags: { user: string }) => {
      const revoked = await withAccounts(io, async (accounts) =>
        accounts.revokeToken(await userId(accounts, flags.user), id),
      );
      if (!revoked) throw new ConfigError(`${flags.user} has no active token ${id}`);
      printJson(io, { id, revoked: true });
    });
}
