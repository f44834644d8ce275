/**
 * The fallback rules of `resolveImage`: which tag runs and what is asked,
 * for every mix of local tags, remote tags, a registry that fails or does
 * not know the repository, `--local`, a given tag or digest, and `--list-tags`.
 * The engine is a fake docker CLI in a temp dir that logs its argv and
 * prints the local tags (or fails as an unreachable engine); the registry is
 * a `Deno.serve` on 127.0.0.1 that logs each path.
 *
 * @module
 */

import assert from "node:assert/strict";
import { formatError } from "../lib/core/errors.ts";
import {
  pinnedPullFailure,
  resolveImage,
  type ResolveOptions,
  scrubPullText,
} from "../lib/edge/image.ts";
import { PullError } from "../lib/edge/engine_run.ts";
import { parseReference } from "../lib/core/reference.ts";
import { AUTO_POLICY, NATURAL_POLICY } from "../lib/core/tags.ts";

/** What the fakes hold and answer. */
interface World {
  /** Tags `docker image ls` prints; `"down"`: it fails as an unreachable engine does. */
  local: string[] | "down";
  /** Tags the registry lists; `"unknown"`: 404 NAME_UNKNOWN; `"closed"`: nothing listens. */
  remote: string[] | "unknown" | "closed";
  /** `RepoDigests` of the local `latest` (`docker image inspect`); default none. */
  repoDigests?: string[];
  /** The registry's `Docker-Content-Digest` of `latest`. */
  latestDigest?: string;
}

/** What a resolution did, as one value to compare whole. */
interface Outcome {
  /** A given tag or digest that is not local: pulled first. */
  pinnedRemote?: true;
  tag?: string;
  digest?: string;
  source: string;
  candidates: number;
  registry: string;
  warnings: string[];
  /** Each argv the fake docker CLI was run with. */
  engineCalls: string[][];
  /** Each path the registry was asked for. */
  registryCalls: string[];
  /** Every tag newest first, as `"<tag> <local|remote|both>"`. */
  rows?: string[];
}

const DIGEST = `sha256:${"ab".repeat(32)}`;

/**
 * Runs `resolveImage` for `image` (`HOST` stands for the fake registry's
 * host:port) against the fakes of `world`.
 */
async function resolveIn(
  world: World,
  image: string,
  options: Partial<ResolveOptions> = {},
): Promise<{ outcome?: Outcome; error?: unknown; host: string }> {
  const dir = await Deno.makeTempDir({ prefix: "rd-image-" });
  const registryCalls: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    const path = new URL(request.url).pathname;
    registryCalls.push(path);
    if (path === "/v2/") return Response.json({});
    if (path === "/v2/app/manifests/latest" && world.latestDigest !== undefined) {
      return new Response(null, { headers: { "docker-content-digest": world.latestDigest } });
    }
    if (world.remote === "unknown") {
      return Response.json({
        errors: [{ code: "NAME_UNKNOWN", message: "repository name not known to registry" }],
      }, { status: 404 });
    }
    return Response.json({ name: "app", tags: world.remote });
  });
  const host = `127.0.0.1:${server.addr.port}`;
  if (world.remote === "closed") await server.shutdown();
  const local = world.local === "down"
    ? `echo "Cannot connect to the Docker daemon at unix:///nowhere.sock. Is the docker daemon running?" >&2\nexit 1`
    // `image inspect --format {{json .RepoDigests}} REF`: the digests; `image inspect REF`:
    // found when REF ends in a local tag (or is a digest reference).
    : `if [ "$2" = inspect ]; then case "$4" in *RepoDigests*) echo '${
      JSON.stringify(world.repoDigests ?? []).replaceAll("HOST", host)
    }'; exit 0;; esac; for t in ${
      world.local.map((t) => `'${t}'`).join(" ")
    }; do case "$5" in *:"$t") exit 0;; esac; done; ` +
      `echo "Error: No such image: $5" >&2; exit 1; fi\n` +
      `printf '%s\\n' ${world.local.map((t) => `'${t}'`).join(" ")}`;
  await Deno.writeTextFile(
    `${dir}/docker`,
    `#!/bin/sh\nprintf '%s\\0' "$@" >> '${dir}/calls'; printf '\\n' >> '${dir}/calls'\n${local}\n`,
    { mode: 0o755 },
  );
  const warnings: string[] = [];
  try {
    const resolution = await resolveImage(parseReference(image.replace("HOST", host)), {
      engine: { program: `${dir}/docker` },
      policy: NATURAL_POLICY,
      local: false,
      env: { HOME: dir },
      registries: { [host]: { timeout_seconds: 5 } },
      warn: (message) => warnings.push(message),
      ...options,
    });
    const outcome: Outcome = {
      ...(resolution.pinnedRemote ? { pinnedRemote: true } : {}),
      ...(resolution.image.tag === undefined ? {} : { tag: resolution.image.tag }),
      ...(resolution.image.digest === undefined ? {} : { digest: resolution.image.digest }),
      source: resolution.source,
      candidates: resolution.candidates,
      registry: resolution.registry.replaceAll(host, "HOST"),
      warnings: warnings.map((w) => w.replaceAll(host, "HOST")),
      engineCalls: await engineCalls(dir, host),
      registryCalls,
    };
    if (resolution.rows !== undefined) {
      outcome.rows = resolution.rows.map((r) =>
        `${r.tag} ${r.local && r.remote ? "both" : r.local ? "local" : "remote"}`
      );
    }
    return { outcome, host };
  } catch (error) {
    assert.deepEqual(warnings, [], "no warning before an error");
    return { error, host };
  } finally {
    if (world.remote !== "closed") await server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
}

/** The argvs the fake CLI logged, `HOST` for the registry's host:port. */
async function engineCalls(dir: string, host: string): Promise<string[][]> {
  const log = await Deno.readTextFile(`${dir}/calls`).catch(() => "");
  return log.split("\n").filter((l) => l !== "").map((l) =>
    l.split("\0").filter((a) => a !== "").map((a) => a.replaceAll(host, "HOST"))
  );
}

const LS = ["image", "ls", "--no-trunc", "--format", "{{.Tag}}\t{{.ID}}", "HOST/app"];
const TAGS = ["/v2/", "/v2/app/tags/list"];
const BOTH_ASKED = { engineCalls: [LS], registryCalls: TAGS };

type Case = [name: string, world: World, image: string, options: Partial<ResolveOptions>, Outcome];
/** A resolution that asked nobody. */
const UNASKED = {
  candidates: 0,
  registry: "not asked",
  warnings: [],
  engineCalls: [],
  registryCalls: [],
};
/** A lookup where the engine and the registry both answered. */
const ANSWERED = { registry: "ok", warnings: [], ...BOTH_ASKED };

const cases: Case[] = [
  [
    "a given local tag runs as it is; one image inspect, no registry",
    { local: ["9", "1.0"], remote: ["9"] },
    "HOST/app:1.0",
    {},
    {
      tag: "1.0",
      source: "given",
      ...UNASKED,
      engineCalls: [["image", "inspect", "--format", "{{.Id}}", "HOST/app:1.0"]],
    },
  ],
  [
    "a given tag that is not local is pulled first (no registry lookup)",
    { local: ["9"], remote: ["9"] },
    "HOST/app:1.0",
    {},
    {
      pinnedRemote: true,
      tag: "1.0",
      source: "given",
      ...UNASKED,
      engineCalls: [["image", "inspect", "--format", "{{.Id}}", "HOST/app:1.0"]],
    },
  ],
  [
    "a given digest that is not local is pulled first",
    { local: [], remote: [] },
    `HOST/app@${DIGEST}`,
    {},
    {
      pinnedRemote: true,
      digest: DIGEST,
      source: "given",
      ...UNASKED,
      engineCalls: [["image", "inspect", "--format", "{{.Id}}", `HOST/app@${DIGEST}`]],
    },
  ],
  [
    "--dry-run with a given tag and no engine prints it as given",
    { local: "down", remote: [] },
    "HOST/app:1.0",
    { dryRun: true },
    {
      tag: "1.0",
      source: "given",
      ...UNASKED,
      engineCalls: [["image", "inspect", "--format", "{{.Id}}", "HOST/app:1.0"]],
    },
  ],
  [
    "--resolve with a given tag asks nobody",
    { local: [], remote: [] },
    "HOST/app:1.0",
    { lookupOnly: true },
    { tag: "1.0", source: "given", ...UNASKED },
  ],
  ["only a local image: it runs", { local: ["1.0"], remote: [] }, "HOST/app", {}, {
    tag: "1.0",
    source: "local",
    candidates: 1,
    ...ANSWERED,
    rows: ["1.0 local"],
  }],
  ["only a remote image: it is pulled", { local: [], remote: ["1.0"] }, "HOST/app", {}, {
    tag: "1.0",
    source: "remote",
    candidates: 1,
    ...ANSWERED,
    rows: ["1.0 remote"],
  }],
  [
    "the remote tag is newer: it is pulled",
    { local: ["1.0"], remote: ["1.0", "1.10"] },
    "HOST/app",
    {},
    {
      tag: "1.10",
      source: "remote",
      candidates: 2,
      ...ANSWERED,
      rows: ["1.10 remote", "1.0 both"],
    },
  ],
  [
    "the local tag is newer: it runs",
    { local: ["2.0", "1.0"], remote: ["1.0", "1.9"] },
    "HOST/app",
    {},
    {
      tag: "2.0",
      source: "local",
      candidates: 3,
      ...ANSWERED,
      rows: ["2.0 local", "1.9 remote", "1.0 both"],
    },
  ],
  [
    "the newest tag is local and remote: the local image runs",
    {
      local: ["1.1"],
      remote: ["1.0", "1.1"],
    },
    "HOST/app",
    {},
    {
      tag: "1.1",
      source: "both",
      candidates: 2,
      ...ANSWERED,
      rows: ["1.1 both", "1.0 remote"],
    },
  ],
  [
    "the registry is unreachable: the newest local image, one warning",
    {
      local: ["1.0", "1.1"],
      remote: "closed",
    },
    "HOST/app",
    {},
    {
      tag: "1.1",
      source: "local",
      candidates: 2,
      registry: "registry HOST unreachable (connection refused)",
      warnings: ["registry HOST unreachable (connection refused); using the newest local image"],
      engineCalls: [LS],
      registryCalls: [],
      rows: ["1.1 local", "1.0 local"],
    },
  ],
  [
    "the registry does not know the repository: the local image, its words in the warning",
    {
      local: ["1.0"],
      remote: "unknown",
    },
    "HOST/app",
    {},
    {
      tag: "1.0",
      source: "local",
      candidates: 1,
      registry: "no repository app on HOST",
      warnings: ["no repository app on HOST; using the newest local image"],
      ...BOTH_ASKED,
      rows: ["1.0 local"],
    },
  ],
  [
    "an images rule registry: none asks the engine only; a closed registry is no news",
    { local: ["1.0"], remote: "closed" },
    "HOST/app",
    { localOnlyRule: "HOST/*" },
    {
      tag: "1.0",
      source: "local",
      candidates: 1,
      registry: 'not asked (images rule "HOST/*": registry: none)',
      warnings: [],
      engineCalls: [LS],
      registryCalls: [],
      rows: ["1.0 local"],
    },
  ],
  [
    "mixed tags without latest: a warning names what runs and how to choose",
    { local: [], remote: ["17.2", "17.2-bookworm", "16.6", "16.6-bookworm"] },
    "HOST/app",
    { policy: AUTO_POLICY },
    {
      tag: "17.2",
      source: "remote",
      candidates: 4,
      ...ANSWERED,
      warnings: [
        "the tags of HOST/app mix 2 schemes (e.g. 17.2, 17.2-bookworm): no latest, so 17.2 runs, the newest of the largest scheme; to choose, give a tag (HOST/app:TAG) or an images rule with tag_filter",
      ],
      rows: ["17.2 remote", "17.2-bookworm remote", "16.6 remote", "16.6-bookworm remote"],
    },
  ],
  [
    "latest on both sides with another digest on the registry: it is pulled",
    {
      local: ["latest", "slim"],
      remote: ["latest", "slim", "1.0"],
      repoDigests: [`HOST/app@sha256:${"1".repeat(64)}`],
      latestDigest: `sha256:${"2".repeat(64)}`,
    },
    "HOST/app",
    { policy: AUTO_POLICY },
    {
      tag: "latest",
      source: "remote",
      candidates: 3,
      ...ANSWERED,
      engineCalls: [LS, [
        "image",
        "inspect",
        "--format",
        "{{json .RepoDigests}}",
        "HOST/app:latest",
      ]],
      registryCalls: [...TAGS, "/v2/app/manifests/latest"],
      rows: ["latest both", "1.0 remote", "slim both"],
    },
  ],
  [
    "latest on both sides with the same digest: the local one runs",
    {
      local: ["latest", "slim"],
      remote: ["latest", "slim", "1.0"],
      repoDigests: [`HOST/app@sha256:${"1".repeat(64)}`, `other/app@sha256:${"2".repeat(64)}`],
      latestDigest: `sha256:${"1".repeat(64)}`,
    },
    "HOST/app",
    { policy: AUTO_POLICY },
    {
      tag: "latest",
      source: "both",
      candidates: 3,
      ...ANSWERED,
      engineCalls: [LS, [
        "image",
        "inspect",
        "--format",
        "{{json .RepoDigests}}",
        "HOST/app:latest",
      ]],
      registryCalls: [...TAGS, "/v2/app/manifests/latest"],
      rows: ["latest both", "1.0 remote", "slim both"],
    },
  ],
  [
    "latest built here (no digest of this repository): the local one runs",
    {
      local: ["latest", "slim"],
      remote: ["latest", "slim", "1.0"],
      latestDigest: `sha256:${"2".repeat(64)}`,
    },
    "HOST/app",
    { policy: AUTO_POLICY },
    {
      tag: "latest",
      source: "both",
      candidates: 3,
      ...ANSWERED,
      engineCalls: [LS, [
        "image",
        "inspect",
        "--format",
        "{{json .RepoDigests}}",
        "HOST/app:latest",
      ]],
      registryCalls: [...TAGS, "/v2/app/manifests/latest"],
      rows: ["latest both", "1.0 remote", "slim both"],
    },
  ],
  ["--local asks the engine only", { local: ["1.0"], remote: ["2.0"] }, "HOST/app", {
    local: true,
  }, {
    tag: "1.0",
    source: "local",
    candidates: 1,
    registry: "not asked (--local)",
    warnings: [],
    engineCalls: [LS],
    registryCalls: [],
    rows: ["1.0 local"],
  }],
  [
    "--list-tags with a tag lists both sides and keeps the tag",
    {
      local: ["1.0"],
      remote: ["1.0", "2.0"],
    },
    "HOST/app:1.0",
    { listAll: true },
    {
      tag: "1.0",
      source: "given",
      candidates: 0,
      ...ANSWERED,
      rows: ["2.0 remote", "1.0 both"],
    },
  ],
  [
    "--list-tags with an unreachable engine warns and lists the registry's",
    {
      local: "down",
      remote: ["1.0"],
    },
    "HOST/app",
    { listAll: true, lookupOnly: true },
    {
      tag: "1.0",
      source: "remote",
      candidates: 1,
      registry: "ok",
      warnings: [
        "cannot connect to the Docker engine at the default endpoint (docker context); local images not considered",
      ],
      ...BOTH_ASKED,
      rows: ["1.0 remote"],
    },
  ],
];

for (const [name, world, image, options, want] of cases) {
  Deno.test(`resolveImage(): ${name}`, async () => {
    const { outcome, error } = await resolveIn(world, image, options);
    assert.equal(error, undefined, String(error));
    assert.deepEqual(outcome, want);
  });
}

type ErrorCase = [
  name: string,
  world: World,
  options: Partial<ResolveOptions>,
  error: "EngineError" | "RegistryError",
  lines: string[],
];
const SIGNATURE = `sha256-${"ab".repeat(32)}.sig`;
const PUSH_HINT =
  "hint: build or push it first, check --tag-order/--tag-filter/--tag-range, or give a tag (HOST/app:TAG)";

const errors: ErrorCase[] = [
  ["no image anywhere", { local: [], remote: [] }, {}, "EngineError", [
    "run-docker: error: no image of HOST/app locally or on the registry",
    PUSH_HINT,
  ]],
  ["--local and no local image", { local: [], remote: ["1.0"] }, { local: true }, "EngineError", [
    "run-docker: error: no image of HOST/app locally (--local)",
    "hint: --local uses only local images: build it, load it (docker load -i FILE), or run once without --local to pull it",
  ]],
  [
    "an images rule registry: none and no local image",
    { local: [], remote: ["1.0"] },
    { localOnlyRule: "team/*" },
    "EngineError",
    [
      'run-docker: error: no image of HOST/app locally (images rule "team/*": registry: none)',
      'hint: the images rule "team/*": registry: none uses only local images: build it, load it (docker load -i FILE), or remove the rule to pull it',
    ],
  ],
  ["only tags the policy rejects", { local: [SIGNATURE], remote: [SIGNATURE] }, {}, "EngineError", [
    "run-docker: error: no image of HOST/app locally or on the registry that the tag policy accepts",
    PUSH_HINT,
  ]],
  [
    "the registry unreachable and no local image",
    { local: [], remote: "closed" },
    {},
    "RegistryError",
    [
      "run-docker: error: cannot reach registry HOST: connection refused",
      "hint: check the network and the registry's address, or run with --local",
    ],
  ],
  [
    "the repository unknown and no local image",
    { local: [], remote: "unknown" },
    {},
    "RegistryError",
    [
      "run-docker: error: no repository app on HOST",
      "hint: check the image name, or build and push it first",
    ],
  ],
  ["the engine unreachable for a run", { local: "down", remote: ["1.0"] }, {}, "EngineError", [
    "run-docker: error: cannot connect to the Docker engine at the default endpoint (docker context)",
    "hint: start the engine (e.g. sudo systemctl start docker), or check DOCKER_HOST and 'docker context ls'",
  ]],
];

for (const [name, world, options, kind, lines] of errors) {
  Deno.test(`resolveImage(): ${name} is one error`, async () => {
    const { outcome, error, host } = await resolveIn(world, "HOST/app", options);
    assert.equal(outcome, undefined);
    assert.equal((error as Error).name, kind, String(error));
    assert.deepEqual(formatError(error).lines.map((l) => l.replaceAll(host, "HOST")), lines);
  });
}

Deno.test("resolveImage(): --local and a given tag that is not local is one error", async () => {
  const { error, host } = await resolveIn(
    { local: ["9"], remote: ["1.0"] },
    "HOST/app:1.0",
    { local: true },
  );
  assert.deepEqual(formatError(error).lines.map((l) => l.replaceAll(host, "HOST")), [
    "run-docker: error: image HOST/app:1.0 is not local (--local)",
    "hint: --local never pulls: run once without --local to pull it, or 'docker pull HOST/app:1.0', 'docker load -i FILE' or build it",
  ]);
});

Deno.test("resolveImage(): an images rule registry: none and a given tag that is not local is one error, no pull", async () => {
  const { error, host } = await resolveIn(
    { local: ["9"], remote: ["1.0"] },
    "HOST/app:1.0",
    { localOnlyRule: "HOST/*" },
  );
  assert.deepEqual(formatError(error).lines.map((l) => l.replaceAll(host, "HOST")), [
    'run-docker: error: image HOST/app:1.0 is not local (images rule "HOST/*": registry: none)',
    "hint: the rule never pulls: 'docker pull HOST/app:1.0', 'docker load -i FILE' or build it, or remove the rule",
  ]);
});

const PINNED: [string, World["remote"], string[]][] = [
  ["no such tag", ["2.0"], [
    "run-docker: error: image HOST/app:1.0 is neither local nor on registry HOST",
    "hint: see the tags there with 'run-docker --list-tags HOST/app', or push HOST/app:1.0 first",
  ]],
  ["no such repository", "unknown", [
    "run-docker: error: image HOST/app:1.0 is neither local nor on registry HOST (no repository HOST/app there)",
    "hint: check the name, or push HOST/app:1.0 first",
  ]],
  ["the registry unreachable", "closed", [
    "run-docker: error: image HOST/app:1.0 is not local, and registry HOST is unreachable (connection refused)",
    "hint: check the network and the registry login ('docker login HOST'), or run a local tag ('run-docker --list-tags --local HOST/app')",
  ]],
  ["the tag is there: the pull's own reason", ["1.0"], [
    "run-docker: error: image HOST/app:1.0 is not local, and pulling it from registry HOST failed (Error response from daemon: no space left on device)",
    "hint: check the registry login ('docker login HOST') and the network",
  ]],
];
for (const [name, remote, lines] of PINNED) {
  Deno.test(`pinnedPullFailure(): ${name} is one error naming the image and registry`, async () => {
    const server = remote === "closed" ? undefined : Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen() {} },
      (request) => {
        const path = new URL(request.url).pathname;
        if (path === "/v2/") return Response.json({});
        if (remote === "unknown") {
          return Response.json({ errors: [{ code: "NAME_UNKNOWN", message: "unknown" }] }, {
            status: 404,
          });
        }
        return Response.json({ name: "app", tags: remote });
      },
    );
    const host = server === undefined
      ? `127.0.0.1:${closedPort()}`
      : `127.0.0.1:${server.addr.port}`;
    try {
      const error = await pinnedPullFailure(
        parseReference(`${host}/app:1.0`),
        new PullError(
          `${host}/app:1.0`,
          1,
          "Error response from daemon: no space left on device\n",
        ),
        {
          engine: { program: "docker" },
          policy: NATURAL_POLICY,
          local: false,
          env: { HOME: "/nonexistent" },
          registries: { [host]: { timeout_seconds: 5 } },
          warn: () => {},
        },
      );
      assert.deepEqual(formatError(error).lines.map((l) => l.replaceAll(host, "HOST")), lines);
    } finally {
      await server?.shutdown();
    }
  });
}

Deno.test("pinnedPullFailure(): the pull's reason never shows the credential a registry echoed", async () => {
  const dir = await Deno.makeTempDir({ prefix: "run-docker-pinned-" });
  const auth = `Basic ${btoa("alice:hunter2-pw")}`;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    if (request.headers.get("authorization") !== auth) {
      return new Response("{}", {
        status: 401,
        headers: { "www-authenticate": 'Basic realm="r"' },
      });
    }
    return new URL(request.url).pathname === "/v2/"
      ? Response.json({})
      : Response.json({ name: "app", tags: ["1.0"] });
  });
  const host = `127.0.0.1:${server.addr.port}`;
  try {
    await Deno.writeTextFile(
      `${dir}/config.json`,
      JSON.stringify({ auths: { [host]: { auth: btoa("alice:hunter2-pw") } } }),
    );
    // What docker printed: the registry's error text, with the password it was sent.
    const stderr =
      "Error response from daemon: unauthorized: wrong password hunter2-pw for alice\n";
    const error = await pinnedPullFailure(
      parseReference(`${host}/app:1.0`),
      new PullError(`${host}/app:1.0`, 1, stderr),
      {
        engine: { program: "docker" },
        policy: NATURAL_POLICY,
        local: false,
        env: { HOME: dir, DOCKER_CONFIG: dir },
        registries: { [host]: { timeout_seconds: 5 } },
        warn: () => {},
      },
    );
    const lines = formatError(error).lines;
    assert.match(lines[0], /pulling it from registry .* failed \(.*wrong password/);
    assert.ok(!lines.join("\n").includes("hunter2-pw"), lines.join("\n"));
  } finally {
    await server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});

/** A port nothing listens on. */
function closedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

Deno.test("scrubPullText(): docker's pull text loses every form of the registry's credential", async () => {
  const dir = await Deno.makeTempDir({ prefix: "run-docker-scrub-" });
  const host = "127.0.0.1:5999";
  try {
    await Deno.writeTextFile(
      `${dir}/config.json`,
      JSON.stringify({ auths: { [host]: { auth: btoa("alice:hunter2-pw") } } }),
    );
    const text = `Error response from daemon: denied: hunter2-pw / ${btoa("alice:hunter2-pw")}\n`;
    const scrubbed = await scrubPullText(parseReference(`${host}/app`), text, {
      engine: { program: "docker" },
      policy: NATURAL_POLICY,
      local: false,
      env: { HOME: dir, DOCKER_CONFIG: dir },
      warn: () => {},
    });
    assert.ok(!scrubbed.includes("hunter2-pw"), scrubbed);
    assert.ok(!scrubbed.includes(btoa("alice:hunter2-pw")), scrubbed);
    assert.match(scrubbed, /^Error response from daemon: denied: /);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
