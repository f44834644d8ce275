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
import { ConfigError } from "./errors.ts";
import { type Config, matchImageRules, type Provenance, showPath } from "./schema.ts";

/**
 * Expands `~` and `${VAR}` in a configured path.
 *
 * @param path As written, e.g. `~/work` or `${SCRATCH}/work`.
 * @param home The home directory.
 * @param env The environment.
 * @throws {ConfigError} when a `${VAR}` is not set.
 */
export function expandPath(
  path: string,
  home: string,
  env: Readonly<Record<string, string | undefined>>,
): string {
  const expanded = path.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
    const value = env[name];
    if (value === undefined) {
      throw new ConfigError(
        `\${${name}} in ${JSON.stringify(path)} is not set`,
        `set ${name}, or write the path out`,
      );
    }
    return value;
  });
  return expanded === "~"
    ? home
    : expanded.startsWith("~/")
    ? `${home}/${expanded.slice(2)}`
    : expanded;
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
): { settings: Settings; policy: TagPolicy; globs: string[] } {
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
  };
}
