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
  constructor(message: string, hint: string) {
    super(message, hint);
    this.name = "ConfigError";
  }
}
