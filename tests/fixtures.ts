/**
 * Fixture builders that keep test table rows short.
 *
 * @module
 */

import { parseRunRequest } from "../lib/core/cli.ts";
import { DEFAULT_SETTINGS, type HostFacts } from "../lib/core/facts.ts";
import { planLayout } from "../lib/core/layout.ts";
import { validateRunRequest } from "../lib/core/request.ts";
import type { RunArgsInput } from "../lib/core/run_args.ts";

/** Host facts of a Linux laptop; override any field. */
export function exampleHost(overrides: Partial<HostFacts> = {}): HostFacts {
  return {
    home: "/home/zepu",
    cwd: "/home/zepu",
    user: "zepu",
    uid: 1000,
    gid: 1000,
    os: "linux",
    hostname: "laptop",
    osRelease: "6.1.0",
    arch: "x86_64",
    hostIp: "192.0.2.10",
    timeZone: "Europe/Berlin",
    utcOffsetMinutes: 120,
    now: new Date("2021-05-02T00:23:43Z"),
    stdinIsTty: false,
    stdoutIsTty: false,
    existingDirs: new Set(),
    env: {},
    ...overrides,
  };
}

/**
 * A complete builder input for a command line.
 *
 * @param argv run-docker's arguments; the image should have a tag.
 * @param host Host fact overrides.
 */
export function exampleInput(
  argv: string[],
  host: Partial<HostFacts> = {},
  extra: Partial<RunArgsInput> = {},
): RunArgsInput {
  const request = validateRunRequest(parseRunRequest(argv));
  const facts = exampleHost(host);
  return {
    request,
    image: request.reference,
    host: facts,
    layout: planLayout(request, { ...facts, workRoot: facts.env.RUN_DOCKER_WORKDIR }),
    settings: DEFAULT_SETTINGS,
    version: "0.1.0",
    nonce: "9f3a",
    ...extra,
  };
}
