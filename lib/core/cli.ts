/**
 * The command line: `run-docker [OPTIONS] IMAGE[:TAG|@DIGEST] [COMMAND [ARG...]]`
 * and `run-docker --self-update [--version X] [--archive FILE] [--local]`.
 *
 * One table ({@link OPTION_TABLE}, `cli/options.ts`) drives everything:
 * the tokenizer (`cli/tokenize.ts`, docker's flag rules, a {@link Token}
 * union), the typed values ({@link OwnValues}, derived from the rows), the
 * parser (`cli/parse.ts`: {@link parseCommandLine}, a {@link CommandLine}
 * union), `--help` (`help.ts`) and shell completion ({@link completionSpecs}).
 *
 * Pure module: no I/O.
 *
 * @module
 */

export * from "./cli/options.ts";
export * from "./cli/tokenize.ts";
export * from "./cli/parse.ts";
export * from "./cli/completion.ts";
