/**
 * Renders a {@link RunSpec} as a Kubernetes `batch/v1` Job: one Pod that runs
 * the command once (`restartPolicy: Never`, `backoffLimit: 0`), for a team
 * that runs its prod images on a cluster.
 *
 * Pure module: a function of the spec alone.
 *
 * @module
 */

import { UsageError } from "../errors.ts";
import { formatReference, imageBaseName } from "../reference.ts";
import type { RunSpec } from "../run_spec.ts";
import { type ContainerConfig, containerConfig } from "./container_config.ts";

/** Where the Job's data and log volumes come from. */
export interface KubernetesOptions {
  /** PersistentVolumeClaim for `DATADIR` (`kubernetes.data_claim`); absent: an `emptyDir`. */
  readonly dataClaim?: string;
  /** PersistentVolumeClaim for `LOGDIR` (`kubernetes.log_claim`); absent: an `emptyDir`. */
  readonly logClaim?: string;
}

/** A rendered manifest and the notes to print above it as YAML comments. */
export interface KubernetesManifest {
  /** The `batch/v1` Job, as plain data ready for YAML. */
  readonly job: Record<string, unknown>;
  /** Notes for the reader: what was left out or replaced (an `emptyDir`) and why, one per entry. */
  readonly comments: readonly string[];
}

/** docker's binary size units as Kubernetes quantity suffixes. */
const QUANTITY_SUFFIX: Readonly<Record<string, string>> = {
  "": "",
  b: "",
  k: "Ki",
  m: "Mi",
  g: "Gi",
  t: "Ti",
  p: "Pi",
};

/**
 * The Job of a prod run.
 *
 * @param spec The run (prod mode).
 * @param options Claims for the data and log volumes.
 * @returns The Job as data, and comments (what was left out, and why).
 * @throws {UsageError} in dev mode (a cluster runs images, not a laptop's source tree), and
 *   for a docker option a Pod has no field for (`--cap-add`, `--network` …).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { planRun } from "../run_args.ts";
 * import { renderKubernetes } from "./kubernetes.ts";
 * import { exampleInput } from "../../../tests/fixtures.ts";
 * const { spec } = planRun(exampleInput(["zppz/app:1", "python", "-V"]));
 * const { job } = renderKubernetes(spec, {});
 * assert.equal(job.kind, "Job");
 * ```
 */
export function renderKubernetes(spec: RunSpec, options: KubernetesOptions): KubernetesManifest {
  if (spec.mode === "dev") {
    throw new UsageError(
      "--emit kubernetes makes a Job for the prod image; this run is in dev mode",
      "a cluster runs the image, not your source tree: emit it where ~/work/src/<name> does not " +
        "exist, e.g. RUN_DOCKER_WORKDIR=/srv/work run-docker --emit kubernetes IMAGE",
    );
  }
  const config = containerConfig(spec);
  const other = config.other.filter((o) => o.long !== "init");
  if (other.length > 0) {
    throw new UsageError(
      `--emit kubernetes cannot carry --${other[0].long}: a Pod has no field for it`,
      "leave the option out and add it to the manifest by hand",
    );
  }
  const comments: string[] = [];
  const name = dnsLabel(spec.name);
  const labels = Object.fromEntries(Object.entries(config.labels).map(([k, v]) => [k, v]));
  const byName = config.env.filter((e) => !("value" in e)).map((e) => e.name);
  if (byName.length > 0) {
    comments.push(
      `not carried: ${byName.join(", ")} (passed by name from the host's environment; ` +
        "put such values in a Secret and add them to env by hand)",
    );
  }
  const { volumes, volumeMounts } = podVolumes(config, options, comments);
  const container = podContainer(spec, config, comments);
  container.volumeMounts = volumeMounts;
  const job = {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name, labels },
    spec: {
      backoffLimit: 0,
      template: {
        metadata: { labels },
        spec: { restartPolicy: "Never", containers: [container], volumes },
      },
    },
  };
  return { job, comments };
}

/** The Pod's volumes for `/dev/shm`, data and log, and the container's mounts of them. */
function podVolumes(config: ContainerConfig, options: KubernetesOptions, comments: string[]) {
  const volumes: Record<string, unknown>[] = [];
  const volumeMounts: Record<string, unknown>[] = [];
  if (config.shmSize !== undefined) {
    volumes.push({
      name: "dshm",
      emptyDir: { medium: "Memory", sizeLimit: quantity(config.shmSize) },
    });
    volumeMounts.push({ name: "dshm", mountPath: "/dev/shm" });
  }
  for (const mount of config.mounts) {
    if (mount.kind !== "bind" || (mount.role !== "data" && mount.role !== "log")) continue;
    const claim = mount.role === "data" ? options.dataClaim : options.logClaim;
    volumes.push(
      claim !== undefined
        ? { name: mount.role, persistentVolumeClaim: { claimName: claim } }
        : { name: mount.role, emptyDir: {} },
    );
    volumeMounts.push({ name: mount.role, mountPath: mount.target });
    if (claim === undefined) {
      comments.push(
        `${mount.role}: an emptyDir, gone with the Pod; set kubernetes.${mount.role}_claim ` +
          "to a PersistentVolumeClaim to keep it",
      );
    }
  }
  return { volumes, volumeMounts };
}

/** The Job's one container: image (pinned by digest when known), args, env, limits, user. */
function podContainer(
  spec: RunSpec,
  config: ContainerConfig,
  comments: string[],
): Record<string, unknown> {
  const container: Record<string, unknown> = {
    name: dnsLabel(imageBaseName(spec.image.reference)),
    image: config.digest !== undefined
      ? formatReference({ ...spec.image.reference, tag: undefined, digest: config.digest })
      : config.image,
  };
  if (config.command.length > 0) container.args = [...config.command];
  container.env = config.env.flatMap((e) => "value" in e ? [{ name: e.name, value: e.value }] : []);
  if (config.workdir !== undefined) container.workingDir = config.workdir;
  if (config.memory !== undefined) {
    container.resources = { limits: { memory: quantity(config.memory) } };
  }
  const ids = /^(\d+)(?::(\d+))?$/.exec(config.user ?? "");
  if (ids !== null) {
    container.securityContext = {
      runAsUser: Number(ids[1]),
      ...(ids[2] !== undefined ? { runAsGroup: Number(ids[2]) } : {}),
    };
  } else if (config.user !== undefined) {
    comments.push(
      `user: ${config.user} is a name; a Pod takes numeric ids, so the image's own user runs`,
    );
  }
  if (config.ports.length > 0) {
    comments.push(`ports not carried (${config.ports.join(", ")}): expose them with a Service`);
  }
  return container;
}

/**
 * A docker size (`12g`, `512m`, `1.5gb`, `1024`) as a Kubernetes quantity
 * (`12Gi`, `512Mi`, `1.5Gi`, `1024`). docker's units are binary.
 */
function quantity(size: string): string {
  const match = /^(\d+(?:\.\d+)?) ?([kmgtp]?)i?b?$/i.exec(size);
  if (match === null) return size;
  return match[1] + QUANTITY_SUFFIX[match[2].toLowerCase()];
}

/** A name in Kubernetes' DNS label grammar: lowercase alphanumerics and `-`, at most 63. */
function dnsLabel(text: string): string {
  const label = text.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+/, "").slice(0, 63)
    .replace(/-+$/, "");
  return label || "run-docker";
}
