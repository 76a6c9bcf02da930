/**
 * The shapes of the completion table (`src/cli/generated/completion-words.ts`): written by
 * `completion-index.ts` at `npm run gen`, read by `commands/completion.ts` on every Tab (types
 * only: nothing here is loaded at run time).
 */

/** An operation command (`cioc app get-segment`). */
export interface CompletionCommand {
  /** The operation id. */
  readonly id: string;
  /** The command's own flags (from its input schema), without the common ones. */
  readonly flags: readonly string[];
  /** The choices of its enum flags, by flag. */
  readonly choices?: Readonly<Record<string, readonly string[]>>;
  /** A paginated listing: `--all` and `--max-pages` apply. */
  readonly paged?: boolean;
}

/** A command of the CLI (not an operation command) as completion sees it. */
export interface CompletionNode {
  readonly subcommands?: Readonly<Record<string, CompletionNode>>;
  /** Its flags (long forms), `--help` included. */
  readonly flags?: readonly string[];
  /** Flags that take a value (the next word is that value, not a command). */
  readonly valued?: readonly string[];
  /** The choices of its enum flags, by flag. */
  readonly choices?: Readonly<Record<string, readonly string[]>>;
  /** The choices of its first positional argument. */
  readonly args?: readonly string[];
  /** How many positional arguments it takes (the last may be variadic: counted once). */
  readonly positionals?: number;
}

/** The flags all operation commands of a connector have (`--all`/`--max-pages`: listings only). */
export interface CompletionCommon {
  readonly flags: readonly string[];
  readonly valued: readonly string[];
  readonly choices: Readonly<Record<string, readonly string[]>>;
}
