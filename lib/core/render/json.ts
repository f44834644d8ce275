/**
 * Renders a {@link RunSpec} as one JSON object: the plan of `--dry-run --json`.
 *
 * Pure module: a function of its arguments alone.
 *
 * @module
 */

import type { RunSpec } from "../run_spec.ts";
import { containerConfig } from "./container_config.ts";

/** The plan as `--dry-run --json` prints it. */
export interface PlanJson {
  /** The engine's program, as it would run (`docker`, a path). */
  readonly engine: string;
  /** The whole command: `[engine, "run", …]`. */
  readonly argv: readonly string[];
  /** The image reference as resolved, and the registry's digest when known. */
  readonly image: { readonly reference: string; readonly digest?: string };
  /** `dev` (source tree mounted) or `prod`. */
  readonly mode: "dev" | "prod";
  /** The container name. */
  readonly name: string;
  /** The container's user, after the user's docker options; absent: the image's. */
  readonly user?: string;
  /** The container's working directory, after the user's docker options; absent: the image's. */
  readonly workdir?: string;
  /** The container's command (argv after the image); empty: the image's own. */
  readonly command: readonly string[];
  /** Bind mounts (`source` is the host path) and tmpfs mounts. */
  readonly mounts: readonly Record<string, unknown>[];
  /** Environment: `{name, value}`, or `{name, fromHost: true}` for an entry passed by name. */
  readonly environment: readonly (
    | { readonly name: string; readonly value: string }
    | { readonly name: string; readonly fromHost: true }
  )[];
  /** Memory limit and `/dev/shm` size, docker's size syntax (`12g`). */
  readonly limits: { readonly memory?: string; readonly shmSize?: string };
  /** Published ports, `--publish` syntax (`127.0.0.1:8888:8888`). */
  readonly ports: readonly string[];
  /** Labels by key. */
  readonly labels: Readonly<Record<string, string>>;
}

/**
 * The plan of a run as data for `--dry-run --json`. Entries passed by name carry
 * no value: the host's value is never printed.
 *
 * @param spec The run.
 * @param engine The engine program, e.g. `docker`.
 * @param argv The rendered arguments after the program (`["run", …]`).
 * @returns See {@link PlanJson}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { planRun } from "../run_args.ts";
 * import { renderPlanJson } from "./json.ts";
 * import { exampleInput } from "../../../tests/fixtures.ts";
 * const { spec, args } = planRun(exampleInput(["-e", "TOKEN", "zppz/app:1"]));
 * const plan = renderPlanJson(spec, "docker", args);
 * assert.equal(plan.argv[0], "docker");
 * assert.deepEqual(plan.environment.at(-1), { name: "TOKEN", fromHost: true });
 * ```
 */
export function renderPlanJson(spec: RunSpec, engine: string, argv: readonly string[]): PlanJson {
  const config = containerConfig(spec);
  return {
    engine,
    argv: [engine, ...argv],
    image: { reference: config.image, ...(config.digest ? { digest: config.digest } : {}) },
    mode: spec.mode,
    name: config.name,
    user: config.user,
    workdir: config.workdir,
    command: config.command,
    mounts: config.mounts.map((m) => ({ ...m })),
    environment: config.env.map((e) =>
      "value" in e ? { name: e.name, value: e.value } : { name: e.name, fromHost: true as const }
    ),
    limits: { memory: config.memory, shmSize: config.shmSize },
    ports: config.ports,
    labels: config.labels,
  };
}
