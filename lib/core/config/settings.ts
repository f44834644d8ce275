/**
 * From the effective configuration to what the builder and the lookup use
 * for one image: image rules applied, paths expanded.
 *
 * Pure module: no I/O.
 *
 * @module
 */

import type { Settings } from "../facts.ts";
import type { TagPolicy } from "../tags.ts";
import {
  type Config,
  DEFAULT_CONFIG,
  matchImageRules,
  type Provenance,
  showPath,
} from "./schema.ts";

/**
 * The settings of the built-in configuration (`DEFAULT_CONFIG`), for any image.
 *
 * @returns Settings with no provenance but `default`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { defaultSettings } from "./settings.ts";
 * assert.equal(defaultSettings().memory, "12g");
 * ```
 */
export function defaultSettings(): Settings {
  return settingsFor(DEFAULT_CONFIG, new Map(), "").settings;
}

/**
 * The settings for one image.
 *
 * @param config The merged configuration.
 * @param provenance Where each value came from.
 * @param image Familiar repository name, e.g. `zppz/app`, matched against `images` globs.
 * @returns `settings` for the builder, `policy` defaults for the tag lookup, and the matching globs.
 */
export function settingsFor(
  config: Config,
  provenance: Provenance,
  image: string,
): { settings: Settings; policy: TagPolicy; globs: string[]; localOnly?: string } {
  const { rule, globs } = matchImageRules(config.images, image);
  const prov = new Map(provenance);
  const at = (glob: string, field: string) => provenance.get(showPath(["images", glob, field]));
  for (const glob of globs) {
    for (const field of ["memory", "gpus", "command"]) {
      const where = at(glob, field);
      if (where !== undefined) prov.set(field, where);
    }
  }
  const policy: TagPolicy = {};
  if (rule.tag_order !== undefined) policy.order = rule.tag_order;
  if (rule.tag_filter !== undefined) policy.filter = rule.tag_filter;
  if (rule.tag_range !== undefined) policy.range = rule.tag_range;
  return {
    settings: {
      containerUser: config.user,
      containerHome: config.container_home,
      memory: rule.memory ?? config.memory,
      shmSize: config.shm_size,
      notebookPort: config.notebook_port,
      notebookBind: config.notebook_bind,
      timeZone: config.timezone === "host" ? undefined : config.timezone,
      init: config.init,
      gpus: rule.gpus ?? config.gpus,
      env: { ...config.env, ...rule.env },
      volumes: config.volumes,
      ports: config.ports,
      dockerArgs: config.docker_args,
      command: rule.command,
      provenance: prov,
    },
    policy,
    globs,
    // The glob of the last matching rule that says `registry: none`.
    localOnly: rule.registry === "none"
      ? globs.findLast((glob) => config.images[glob].registry === "none")
      : undefined,
  };
}
