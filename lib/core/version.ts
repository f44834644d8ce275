/**
 * run-docker's version, from `deno.json` (the one place it is written).
 *
 * @module
 */

import config from "../../deno.json" with { type: "json" };

/** The version, e.g. `0.1.0`. */
export const VERSION: string = config.version;
