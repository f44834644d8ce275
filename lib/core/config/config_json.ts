/**
 * What `--print-config` shows beyond the merged values: the defaults of keys whose default is
 * "not set" (`workdir`, `engine`), and the configuration as one JSON object (`--json`).
 *
 * Pure module: no I/O.
 *
 * @module
 */

import { DEFAULT_ENGINE } from "../engine_kind.ts";
import { escapeLines } from "../printable.ts";
import { DEFAULT_WORKDIR } from "../layout.ts";
import { type Config, KEY_KINDS, type Provenance } from "./schema.ts";

/** The defaults of keys a {@link Config} leaves out when not set, as `--print-config` shows them. */
export const SHOWN_DEFAULTS: Readonly<Record<string, string>> = {
  workdir: DEFAULT_WORKDIR,
  engine: DEFAULT_ENGINE,
};

/** Text shown instead of an `env` value that is set: a value can be a secret. */
export const SET_VALUE = "<set>";

/** Text shown for an `env` value passed from the host by name (`null`). */
export const PASSED_VALUE = "<passed from the host>";

/** The configuration with every `env` value (top level and in `images` rules) hidden. */
function hideEnv(config: Config): Record<string, unknown> {
  const hide = (env: Record<string, string | null> | undefined) =>
    env === undefined ? undefined : Object.fromEntries(
      Object.entries(env).map(([name, value]) => [name, value === null ? PASSED_VALUE : SET_VALUE]),
    );
  const images = Object.fromEntries(
    Object.entries(config.images).map(([glob, rule]) => [
      glob,
      rule.env === undefined ? rule : { ...rule, env: hide(rule.env) },
    ]),
  );
  return { ...config, env: hide(config.env), images };
}

/**
 * The effective configuration as `--print-config --json` prints it.
 *
 * @param config The merged configuration.
 * @param provenance Where each value came from (`mergeConfig`).
 * @param files The files that were read.
 * @returns `{files, config, sources}`: `config` has every key of the key table in its order,
 *   `workdir` and `engine` at their defaults when not set, another unset key (`gpus`) `null`, `env` values as `<set>` or
 *   `<passed from the host>`; `sources` maps each key path (`memory`, `volumes[0]`,
 *   `images."zppz/*".tag_order`) to where it was set (`default`, `file:line`, `env VAR`,
 *   `option --x`); a map or list with entries set has no line of its own, its entries do.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { configJson } from "./config_json.ts";
 * import { mergeConfig } from "./schema.ts";
 * const { config, provenance } = mergeConfig([]);
 * const shown = configJson(config, provenance, []);
 * assert.equal(shown.config.engine, "auto");
 * assert.equal(shown.sources.workdir, "default");
 * ```
 */
export function configJson(
  config: Config,
  provenance: Provenance,
  files: readonly string[],
): {
  files: string[];
  config: Record<string, unknown>;
  sources: Record<string, string>;
} {
  const hidden = hideEnv(config);
  const shown: Record<string, unknown> = {};
  const sources: Record<string, string> = {};
  for (const key of Object.keys(KEY_KINDS)) {
    shown[key] = hidden[key] ?? SHOWN_DEFAULTS[key] ?? null;
    if (!provenance.has(key)) sources[key] = "default";
  }
  for (const [path, where] of provenance) sources[path] = where;
  // A map or list set entry by entry (`env.A`, `volumes[0]`) is not at its default.
  for (const path of provenance.keys()) {
    const top = /^[^.[]+(?=[.[])/.exec(path)?.[0];
    if (top !== undefined && sources[top] === "default") delete sources[top];
  }
  return { files: [...files], config: shown, sources };
}

/** What `--print-config --json IMAGE` adds: what the `images` rules make for IMAGE. */
export interface ImageRulesShown {
  /** The familiar repository name, e.g. `zppz/app`. */
  readonly name: string;
  /** The globs of `images` that match it, in order. */
  readonly rules: readonly string[];
  /** The memory limit for it. */
  readonly memory: string;
  /** Its `--gpus` value, when set. */
  readonly gpus?: string;
  /** Its command when none is given. */
  readonly command?: readonly string[];
  /** Its tag policy (`order`, `filter`, `range`). */
  readonly policy: Readonly<Record<string, unknown>>;
}

/**
 * `--print-config --json`'s output.
 *
 * @param loaded The merged configuration, its provenance and the files read.
 * @param image For `--print-config --json IMAGE`: what the `images` rules make for IMAGE.
 * @returns {@link configJson}'s object (plus `image`), as indented JSON ending with a newline.
 */
export function printConfigJson(
  loaded: {
    readonly config: Config;
    readonly provenance: Provenance;
    readonly files: readonly string[];
  },
  image?: ImageRulesShown,
): string {
  const shown = configJson(loaded.config, loaded.provenance, loaded.files);
  // JSON escapes C0 controls only: a bidi override or U+2028 in a value would show as it is.
  return escapeLines(JSON.stringify(image === undefined ? shown : { ...shown, image }, null, 2)) +
    "\n";
}
