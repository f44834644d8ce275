/**
 * Edge module: run-docker's own output on stdout and stderr.
 *
 * @module
 */

import { RunDockerError } from "../core/errors.ts";
import { escapeControls } from "../core/printable.ts";

/** run-docker's own output lost its reader (`| head`): not an error, run-docker ends quietly. */
export class OutputClosed extends Error {}

/**
 * Writes all of `text`. A reader that went away (`| head`) is not an error:
 * it goes up as {@link OutputClosed} and ends run-docker quietly (a broken
 * pipe to a child is not that); other failures (a full disk) are reported plainly.
 *
 * @param stream `Deno.stdout` or `Deno.stderr`.
 * @param text What to write.
 * @throws {OutputClosed} when the reader went away.
 * @throws {RunDockerError} for any other write failure.
 */
export async function write(
  stream: { write(p: Uint8Array): Promise<number> },
  text: string,
): Promise<void> {
  const bytes = new TextEncoder().encode(text);
  let offset = 0;
  try {
    while (offset < bytes.length) offset += await stream.write(bytes.subarray(offset));
  } catch (error) {
    if (error instanceof Deno.errors.BrokenPipe) throw new OutputClosed();
    throw new RunDockerError(
      `cannot write the output: ${(error as Error).message}`,
      "check where the output goes (a full disk, a closed file)",
    );
  }
}

/**
 * Prints `run-docker: warning: MESSAGE` on stderr (control characters escaped); a closed stderr
 * is ignored.
 *
 * @param message One line.
 */
export function warn(message: string): void {
  try {
    Deno.stderr.writeSync(
      new TextEncoder().encode(`run-docker: warning: ${escapeControls(message)}\n`),
    );
  } catch {
    // stderr closed
  }
}

/**
 * Prints what a decision says to print: stderr first, then stdout.
 *
 * @param text `stdout` and, optionally, `stderr` text.
 * @returns 0, the exit code of a run that only prints.
 */
export async function print(text: { stdout: string; stderr?: string }): Promise<number> {
  if (text.stderr) await write(Deno.stderr, text.stderr);
  await write(Deno.stdout, text.stdout);
  return 0;
}
