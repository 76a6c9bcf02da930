#!/usr/bin/env node
// Shell completion runs on every Tab: it goes straight to its module, without commander or any
// other command's code (see src/cli/commands/completion.ts).
if (process.argv[2] === '__complete') {
  const [{ completeCommand }, { processIo }] = await Promise.all([
    import('../dist/cli/commands/completion.js'),
    import('../dist/cli/io.js'),
  ]);
  process.exitCode = await completeCommand(process.argv.slice(3), processIo());
} else {
  const { main } = await import('../dist/cli/main.js');
  process.exitCode = await main(process.argv);
}
