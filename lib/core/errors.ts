/**
 * The errors a user can cause, each with a hint and docker's exit code for
 * "docker run itself failed" (125).
 *
 * Pure module: no I/O.
 *
 * @module
 */

import { escapeControls } from "./printable.ts";

/** Exit code for run-docker's own failures, as docker uses for `docker run` failures. */
export const EXIT_RUN_FAILED = 125;

/** Anything run-docker reports as `run-docker: error: <message>` plus a hint line. */
export class RunDockerError extends Error {
  /** One line telling the user what to do next. */
  readonly hint: string;
  /** The process exit code to use; 125 unless a subclass says otherwise. */
  readonly exitCode: number = EXIT_RUN_FAILED;

  /**
   * An error reported as `run-docker: error: <message>`, then `<hint>`, exit 125.
   *
   * @param message What went wrong, naming the thing and the value.
   * @param hint What to do about it.
   */
  constructor(message: string, hint: string) {
    super(message);
    this.name = "RunDockerError";
    this.hint = hint;
  }
}

/** The command line is not valid: unknown option, missing value, bad value. */
export class UsageError extends RunDockerError {
  /**
   * A command-line error (exit 125).
   *
   * @param message What is wrong with the command line.
   * @param hint Defaults to pointing at `--help`.
   */
  constructor(message: string, hint = "see 'run-docker --help'") {
    super(message, hint);
    this.name = "UsageError";
  }
}

/** The engine (docker CLI or daemon) could not do what was asked. */
export class EngineError extends RunDockerError {
  /**
   * An engine error (exit 125).
   *
   * @param message What the engine could not do, naming the CLI or endpoint.
   * @param hint What to do about it (start the engine, install the CLI …).
   */
  constructor(message: string, hint: string) {
    super(message, hint);
    this.name = "EngineError";
  }
}

/** The container's program is not in the image: docker's exit code 127 stays. */
export class NotInImageError extends RunDockerError {
  /** Exit 127, as docker gives when the command is not found. */
  override readonly exitCode: number = 127;

  /**
   * A program missing from the image (exit 127).
   *
   * @param message Which image lacks what.
   * @param hint How to get it there, or what to run instead.
   */
  constructor(message: string, hint: string) {
    super(message, hint);
    this.name = "NotInImageError";
  }
}

/**
 * Turns any thrown value into the two lines run-docker prints on stderr and
 * its exit code. Errors that are not run-docker's own (bugs) still give one
 * line, never a stack trace.
 *
 * @param error What was thrown.
 * @returns `{ lines, exitCode }`: `lines` are without trailing newlines.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatError, UsageError } from "./errors.ts";
 * const { lines, exitCode } = formatError(new UsageError('unknown option "--x"'));
 * assert.deepEqual(lines, ['run-docker: error: unknown option "--x"', "hint: see 'run-docker --help'"]);
 * assert.equal(exitCode, 125);
 * ```
 */
export function formatError(error: unknown): { lines: string[]; exitCode: number } {
  if (error instanceof RunDockerError || isHinted(error)) {
    return {
      lines: [`run-docker: error: ${oneLine(error.message)}`, `hint: ${oneLine(error.hint)}`],
      exitCode: error instanceof RunDockerError ? error.exitCode : EXIT_RUN_FAILED,
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof Error && error.name === "NotCapable") {
    // Deno's text ends in advice to pass --allow-… flags: only the thing it names is kept.
    const what = /"([^"]*)"/.exec(message)?.[1];
    return {
      lines: [
        `run-docker: error: not allowed${what === undefined ? "" : `: ${oneLine(what)}`}`,
        "hint: run-docker does not touch system paths such as /proc, /dev and /sys; " +
        "under deno, run it with the flags in scripts/permissions.ts",
      ],
      exitCode: EXIT_RUN_FAILED,
    };
  }
  return {
    lines: [
      `run-docker: error: ${oneLine(message)}`,
      "hint: this looks like a bug in run-docker; please report it with the command you ran",
    ],
    exitCode: EXIT_RUN_FAILED,
  };
}

/**
 * Why a file or process operation failed, in a few words for a message; never
 * Deno's advice to pass permission flags.
 *
 * @param error What the operation threw.
 * @returns `permission denied` (the system said no), `not allowed (a system path)` (Deno's
 *   `NotCapable`: /proc, /dev, /sys), else the error's first line without its `(os error N)` tail.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const denied = Object.assign(new Error("Requires all access to \"/proc/self\", run again with the --allow-all flag"), { name: "NotCapable" });
 * assert.equal(ioReason(denied), "not allowed (a system path)");
 * assert.equal(ioReason(new Error("Is a directory (os error 21): open '/x'")), "Is a directory");
 * ```
 */
export function ioReason(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === "NotCapable") return "not allowed (a system path)";
  if (error.name === "PermissionDenied") return "permission denied";
  return error.message.split("\n")[0].replace(/ \(os error \d+\).*$/, "");
}

function isHinted(error: unknown): error is Error & { hint: string } {
  return error instanceof Error && typeof (error as { hint?: unknown }).hint === "string";
}

/** One printable line: line breaks become spaces, other non-printables `\uXXXX` escapes. */
function oneLine(text: string): string {
  return escapeControls(text.replace(/\s*\n\s*/g, " ").trim());
}
