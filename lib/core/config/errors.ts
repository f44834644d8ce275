/**
 * Configuration errors.
 *
 * Pure module: no I/O.
 *
 * @module
 */

import { RunDockerError } from "../errors.ts";

/** A configuration file, variable or value is wrong; the message starts with `<file>:<line>:<col>:`. */
export class ConfigError extends RunDockerError {
  /**
   * A configuration error (exit 125).
   *
   * @param message The one-line message, starting with `<file>:<line>:<col>:` when a file is at fault.
   * @param hint One line saying what to do.
   */
  constructor(message: string, hint: string) {
    super(message, hint);
    this.name = "ConfigError";
  }
}
