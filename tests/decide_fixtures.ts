/**
 * Fixtures of the decision tests: a command line through the first two steps of
 * lib/core/decide.ts, with configuration assignments and host facts; what the lookup found;
 * the docker argv of a prod run.
 *
 * @module
 */

import { parseRunRequest } from "../lib/core/cli.ts";
import { type Assignment, mergeConfig } from "../lib/core/config/schema.ts";
import {
  type Action,
  decideLookup,
  decideRequest,
  decideRun,
  type Found,
  type Lookup,
} from "../lib/core/decide.ts";
import type { HostFacts } from "../lib/core/facts.ts";
import { type HostPathState, planLayout } from "../lib/core/layout.ts";
import { exampleHost } from "./fixtures.ts";

export const ABOUT = { version: "0.1.0", target: "x86_64-unknown-linux-gnu", deno: "2.9.6" };
export const IMAGE = "zppz/app:20210502-002343";
export const HOME = "/home/zepu";
export const DATA = `${HOME}/work/data`;
export const LOG = `${HOME}/work/log`;
export const SRC = `${HOME}/work/src/app`;
export const NAME = "zepu-app-20210502-022343-9f3a";

/** What a test row gives besides the command line. */
export interface Given {
  /** Configuration assignments, as a file would make them. */
  config?: [string[], unknown][];
  host?: Partial<HostFacts>;
  states?: [string, HostPathState][];
  files?: string[];
}

/** Steps 1 and 2 for a command line: `--print-config IMAGE` text, or the lookup. */
export function lookupOf(argv: string[], given: Given = {}) {
  const first = decideRequest(parseRunRequest(argv), ABOUT);
  if (first.kind !== "plan") throw new Error("not a plan");
  const layer: Assignment[] = (given.config ?? []).map(([path, value]) => ({
    path,
    value,
    where: "c.yaml:1",
  }));
  const { config, provenance } = mergeConfig([layer]);
  const host = exampleHost({ existingDirs: new Set(), ...given.host });
  return decideLookup({
    ...first,
    loaded: { config, provenance, files: given.files ?? [] },
    host,
    layout: planLayout(first.request, host),
    pathStates: new Map(given.states ?? []),
  });
}

/** Steps 1 and 2 for a command line that goes on to a lookup. */
export function lookup(argv: string[], given: Given = {}): Lookup {
  const step = lookupOf(argv, given);
  if (step.kind !== "lookup") throw new Error(`not a lookup: ${step.kind}`);
  return step;
}

/** The lookup of a given tag: no registry asked. */
export const GIVEN: Found = {
  image: { registry: "docker.io", repository: "zppz/app", tag: "20210502-002343" },
  source: "given",
  candidates: 0,
  registry: "not asked",
};
/** The lookup of no tag: the newest, `2`, is only on the registry. */
export const REMOTE: Found = {
  image: { registry: "docker.io", repository: "zppz/app", tag: "2" },
  source: "remote",
  candidates: 3,
  rows: [
    { tag: "2", local: false, remote: true },
    { tag: "1", local: true, remote: true },
  ],
  registry: "ok",
};

/** All three steps for a command line, with what the lookup found. */
export function decide(argv: string[], found: Found = GIVEN, given: Given = {}): Action {
  return decideRun(lookup(argv, given), {
    version: "0.1.0",
    engine: "docker",
    found,
    nonce: "9f3a",
    notebookToken: "t0ken",
    hostUserFiles: { passwd: "/tmp/run-docker-1000/passwd", group: "/tmp/run-docker-1000/group" },
    gpus: { nvidiaSmi: false }, // a host without NVIDIA's tools, as most are
  });
}

/** The environment of a prod run, `TAG` for the image's tag. */
export const PROD_ENV = [
  "HOME=/home/docker-user",
  "USER=docker-user",
  "HOSTUSER=1000:1000",
  "IMAGE_NAME=app",
  "IMAGE_VERSION=TAG",
  "TZ=Europe/Berlin",
  "HOST_UNAME=Linux laptop 6.1.0 x86_64",
  "HOST_WHOAMI=zepu",
  "HOST_IP=192.0.2.10",
  "DATADIR=/home/docker-user/data",
  "LOGDIR=/home/docker-user/log",
];

/** The docker argv of a prod run of `zppz/app:TAG` (argv_golden_test.ts pins many more). */
export function prodArgs(tag: string, pullNever: boolean, tail: string[]): string[] {
  return [
    "run",
    "--rm",
    "--init",
    "--name",
    NAME,
    "--interactive",
    "--user",
    "docker-user",
    "--workdir",
    "/home/docker-user",
    "--memory",
    "12g",
    "--shm-size",
    "4g",
    ...(pullNever ? ["--pull", "never"] : []),
    "--label",
    "run-docker.version=0.1.0",
    "--label",
    "run-docker.mode=prod",
    "--mount",
    `type=bind,source=${DATA},target=/home/docker-user/data`,
    "--mount",
    `type=bind,source=${LOG},target=/home/docker-user/log`,
    ...PROD_ENV.flatMap((e) => ["--env", e.replace("TAG", tag)]),
    ...tail,
  ];
}
