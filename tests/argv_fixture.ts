/**
 * Whole expected `docker run` argvs for the run_args tests, built from
 * sections (head, user, limits, mounts, environment …) so that a table row
 * states only the sections that differ from a default prod run of `i:1` on
 * the host of `exampleHost()` (tests/fixtures.ts).
 *
 * @module
 */

/** The sections of a `docker run` argv, in the order the builder writes them. */
export interface Parts {
  /** `--rm`, `--init`, `--name NAME`, `--interactive`, `--tty`. */
  head: string[];
  /** `--user` value; `null`: no `--user`. */
  user: string | null;
  /** `--workdir` value; `null`: no `--workdir`. */
  workdir: string | null;
  /** `--memory`, `--shm-size`, `--gpus`, `--pull` tokens. */
  limits: string[];
  /** The `run-docker.mode` label. */
  mode: "dev" | "prod";
  /** `--mount`, `--tmpfs`, `--volume`, `--publish` tokens. */
  mounts: string[];
  /** Changes to {@link ENV}: a value, `null` (passed by name), `undefined` (left out); new names go last. */
  env: Record<string, string | null | undefined>;
  /** The notebook's `--publish` and `--env JUPYTER_TOKEN` tokens, after the environment. */
  notebook: string[];
  /** The user's docker options, the image and the command. */
  tail: string[];
}

/** The container name of every run at `exampleHost()`'s time with nonce `9f3a`. */
export const NAME = "zepu-i-20210502-022343-9f3a";
/** `--rm`, `--init`, the name and `--interactive` (stdin is not a TTY). */
export const HEAD = ["--rm", "--init", "--name", NAME, "--interactive"];
/** {@link HEAD} of a run of another image (the name has the image's). */
export const headOf = (image: string) =>
  HEAD.map((t) => t === NAME ? NAME.replace("-i-", `-${image}-`) : t);
/** The default memory and `/dev/shm` limits. */
export const LIMITS = ["--memory", "12g", "--shm-size", "4g"];
/** The default data and log mounts. */
export const DATA = "type=bind,source=/home/zepu/work/data,target=/home/docker-user/data";
/** See {@link DATA}. */
export const LOG = "type=bind,source=/home/zepu/work/log,target=/home/docker-user/log";
/** The environment of a prod run of `i:1` on `exampleHost()`, in order. */
export const ENV: Record<string, string> = {
  HOME: "/home/docker-user",
  USER: "docker-user",
  HOSTUSER: "1000:1000",
  IMAGE_NAME: "i",
  IMAGE_VERSION: "1",
  TZ: "Europe/Berlin",
  HOST_UNAME: "Linux laptop 6.1.0 x86_64",
  HOST_WHOAMI: "zepu",
  HOST_IP: "192.0.2.10",
  DATADIR: "/home/docker-user/data",
  LOGDIR: "/home/docker-user/log",
};

/** `--mount` tokens for each spec, in order. */
export const mounts = (...specs: string[]) => specs.flatMap((spec) => ["--mount", spec]);

/** The whole argv of a run of `i:1`, each section as given or as in a default prod run. */
export function expected(parts: Partial<Parts> = {}): string[] {
  const env = Object.entries({ ...ENV, ...parts.env }).flatMap(([name, value]) =>
    value === undefined ? [] : ["--env", value === null ? name : `${name}=${value}`]
  );
  const user = parts.user === undefined ? "docker-user" : parts.user;
  const workdir = parts.workdir === undefined ? "/home/docker-user" : parts.workdir;
  return [
    "run",
    ...(parts.head ?? HEAD),
    ...(user === null ? [] : ["--user", user]),
    ...(workdir === null ? [] : ["--workdir", workdir]),
    ...(parts.limits ?? LIMITS),
    "--label",
    "run-docker.version=0.1.0",
    "--label",
    `run-docker.mode=${parts.mode ?? "prod"}`,
    ...(parts.mounts ?? mounts(DATA, LOG)),
    ...env,
    ...(parts.notebook ?? []),
    ...(parts.tail ?? ["i:1"]),
  ];
}
