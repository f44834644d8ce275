/**
 * The pure core, re-exported in one place. `deno task check` type-checks
 * this module with `scripts/pure.json`, whose `lib` has no Deno namespace,
 * so a `Deno.*` call in any of these files fails the check.
 *
 * @module
 */

export * from "./cli.ts";
export * from "./config/errors.ts";
export * from "./config/layers.ts";
export * from "./config/project.ts";
export * from "./config/schema.ts";
export * from "./config/settings.ts";
export * from "./config/yaml.ts";
export * from "./decide.ts";
export * from "./docker_run_options.ts";
export * from "./errors.ts";
export * from "./expand_path.ts";
export * from "./grammar.ts";
export * from "./facts.ts";
export * from "./format/dry_run.ts";
export * from "./format/emit.ts";
export * from "./format/explain.ts";
export * from "./format/image_rules.ts";
export * from "./format/resolve.ts";
export * from "./help.ts";
export * from "./host_path.ts";
export * from "./layout.ts";
export * from "./printable.ts";
export * from "./reference.ts";
export * from "./request.ts";
export * from "./resolve.ts";
export * from "./registry/challenge.ts";
export * from "./registry/errors.ts";
export * from "./registry/hosts.ts";
export * from "./render/compose.ts";
export * from "./render/container_config.ts";
export * from "./render/docker.ts";
export * from "./render/json.ts";
export * from "./render/kubernetes.ts";
export * from "./run_args.ts";
export * from "./run_spec.ts";
export * from "./shell_quote.ts";
export * from "./tags.ts";
export * from "./version.ts";
