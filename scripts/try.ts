/**
 * `deno task try`: run-docker's main job in one command, for a newcomer with
 * deno and a reachable Docker engine (no root, no registry, no network). It
 * bundles run-docker, builds two tags of a small demo image offline (the
 * busybox images of `demo_image.ts`), makes a demo project tree in a temp
 * work root, and runs the image without a tag: the newest tag runs in dev
 * mode, and the container prints its source mount, PYTHONPATH, DATADIR and
 * LOGDIR, then exits {@link DEMO_EXIT}, which run-docker passes through.
 * Everything it made (images, the container, temp folders) is removed at the
 * end, also after Ctrl-C, SIGTERM or SIGHUP (exit 128+N then).
 *
 * run-docker runs as shipped: the bundle with `PERMISSION_FLAGS`, the
 * binary's permissions (or `RUN_DOCKER_BIN`), in an environment of its own
 * (no user configuration, caches and passwd files in the temp folder), so
 * the demo shows the defaults and leaves nothing in HOME.
 *
 * @module
 */

import { DEFAULT_SETTINGS } from "../lib/core/facts.ts";
import { CONVENTIONAL_USER } from "../lib/core/user.ts";
import {
  BUSYBOX_PATHS,
  findStaticBusybox,
  importTestImage,
  makeTestTarball,
} from "./demo_image.ts";
import { runDockerCommand } from "./permissions.ts";
import { runCommand } from "./run_command.ts";

/** The demo image's two tags, oldest first: the newest must be the one that runs. */
export const DEMO_TAGS = ["20240101-000000", "20240301-120000"] as const;

/** The exit code the demo container ends with, to show that it passes through. */
export const DEMO_EXIT = 3;

/** Names a static busybox to use instead of looking in {@link BUSYBOX_PATHS}. */
export const BUSYBOX_VARIABLE = "RUN_DOCKER_TRY_BUSYBOX";

/** The prefix of everything the demo makes: image repositories, container names, temp folders. */
export const DEMO_PREFIX = "run-docker-try-";

const ROOT = decodeURIComponent(new URL("..", import.meta.url).pathname);
const SIGNALS: readonly Deno.Signal[] = Deno.build.os === "windows"
  ? ["SIGINT"]
  : ["SIGINT", "SIGTERM", "SIGHUP"];
const SIGNAL_NUMBERS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };

/** An error of the run-docker kind: one line, one hint, exit 125. */
class TryError extends Error {
  constructor(message: string, readonly hint: string) {
    super(message);
  }
}

/** Thrown between steps once a signal came. */
class Interrupted extends Error {}

/** What the demo made so far, so that the clean-up removes exactly that. */
interface Made {
  images: string[];
  temp?: string;
  container?: string;
}

let interrupted: Deno.Signal | undefined;
let current: Deno.ChildProcess | undefined;

function say(line = ""): void {
  console.log(line);
}

function checkpoint(): void {
  if (interrupted !== undefined) throw new Interrupted();
}

/** Runs a child with the terminal's output, stoppable by our signals. */
async function spawnShown(program: string, args: string[], env?: Record<string, string>) {
  current = new Deno.Command(program, {
    args,
    cwd: ROOT,
    env,
    clearEnv: env !== undefined,
    stdin: "null",
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
  try {
    return (await current.status).code;
  } finally {
    current = undefined;
  }
}

/** The engine and the busybox, before anything is made. */
async function preflight(): Promise<string> {
  let version;
  try {
    version = await runCommand("docker", ["version", "--format", "{{.Server.Version}}"]);
  } catch {
    throw new TryError(
      "no docker CLI on PATH",
      "install Docker (Debian: sudo apt-get install docker.io) and start it",
    );
  }
  if (version.code !== 0) {
    const why = version.stderr.trim().split("\n")[0] || `docker version exited ${version.code}`;
    throw new TryError(
      `cannot reach a Docker engine: ${why}`,
      "start one (e.g. sudo systemctl start docker), or point DOCKER_HOST at one " +
        "your user may use (no root needed)",
    );
  }
  const given = Deno.env.get(BUSYBOX_VARIABLE);
  const paths = given ? [given] : BUSYBOX_PATHS;
  const busybox = await findStaticBusybox(paths);
  if (busybox === undefined) {
    throw new TryError(
      given
        ? `${BUSYBOX_VARIABLE} names ${given}, which is not a statically linked program`
        : `no static busybox on this host (looked at ${paths.join(", ")})`,
      "install Debian's busybox-static (sudo apt-get install busybox-static), or set " +
        `${BUSYBOX_VARIABLE} to a static busybox: the demo image is made from it, offline`,
    );
  }
  return busybox;
}

/** The command the demo container runs: print what it sees, then exit {@link DEMO_EXIT}. */
function containerScript(): string {
  return [
    "set -- *",
    'echo "   | working dir: $PWD, holding: $*"',
    'echo "   | README.md:   $(cat README.md)"',
    'echo "   | tag:         $IMAGE_VERSION"',
    'echo "   | PYTHONPATH:  $PYTHONPATH"',
    'echo "   | DATADIR:     $DATADIR"',
    'echo "   | LOGDIR:      $LOGDIR"',
    `exit ${DEMO_EXIT}`,
  ].join("; ");
}

/** run-docker's environment: ours without RUN_DOCKER_*, its files kept in the temp folder. */
function demoEnv(temp: string): Record<string, string> {
  const env = Object.fromEntries(
    Object.entries(Deno.env.toObject()).filter(([name]) => !name.startsWith("RUN_DOCKER_")),
  );
  return {
    ...env,
    DENO_NO_UPDATE_CHECK: "1",
    RUN_DOCKER_WORKDIR: `${temp}/work`,
    RUN_DOCKER_CONFIG: `${temp}/config.yaml`, // empty: the built-in defaults
    XDG_CACHE_HOME: `${temp}/cache`,
    TMPDIR: `${temp}/tmp`, // user: host's passwd files go here, and go with it
  };
}

async function demo(made: Made): Promise<number> {
  const home = DEFAULT_SETTINGS.containerHome;
  say("run-docker, tried on this machine's Docker engine: no registry, no network.");
  const busybox = await preflight();
  checkpoint();

  say("\n1. Bundle run-docker (deno task bundle): it runs with the binary's permissions.");
  if (await spawnShown(Deno.execPath(), ["task", "--quiet", "bundle"]) !== 0) {
    checkpoint();
    throw new TryError("deno task bundle failed", "see deno's message above");
  }
  checkpoint();

  const id = crypto.randomUUID().slice(0, 8);
  const repository = `${DEMO_PREFIX}${id}/demo`;
  say(`\n2. Build two tags of a demo image offline (${busybox}, docker import):`);
  const tarball = await makeTestTarball(busybox);
  try {
    for (const tag of DEMO_TAGS) {
      checkpoint();
      made.images.push(`${repository}:${tag}`);
      await importTestImage(tarball, `${repository}:${tag}`);
      say(`   ${repository}:${tag}`);
    }
  } finally {
    await Deno.remove(tarball).catch(() => {});
  }
  checkpoint();

  made.temp = await Deno.makeTempDir({ prefix: DEMO_PREFIX });
  const work = `${made.temp}/work`;
  const source = `${work}/src/demo`;
  await Deno.mkdir(`${source}/src/demo`, { recursive: true });
  await Deno.mkdir(`${made.temp}/tmp`);
  await Deno.writeTextFile(`${made.temp}/config.yaml`, "# the built-in defaults\n");
  await Deno.writeTextFile(`${source}/README.md`, "written on the host by deno task try\n");
  await Deno.writeTextFile(`${source}/src/demo/__init__.py`, "");
  say(`\n3. Make a demo work root, ${work} (RUN_DOCKER_WORKDIR),`);
  say("   with the project's source tree src/demo: its presence means dev mode.");
  if (Deno.uid() === 0) {
    // As root, the container runs as the image user: the tree is theirs, as a root user's
    // own tree would need to be (run-docker warns otherwise).
    const { uid, gid } = CONVENTIONAL_USER;
    for (const path of ["", "/README.md", "/src", "/src/demo", "/src/demo/__init__.py"]) {
      await Deno.chown(source + path, uid, gid);
    }
    say(`   You are root: the tree is given to the image user (chown -R ${uid}:${gid}).`);
  }
  say("   run-docker makes work/data and work/log itself.");
  checkpoint();

  made.container = `${DEMO_PREFIX}${id}`;
  const args = ["--local", "--name", made.container, repository, "sh", "-c", containerScript()];
  say("\n4. Run the image with no tag: the newest tag runs, the source tree is mounted");
  say(`   at ${home}/src, and the container's exit code comes back.`);
  say(`   $ run-docker --local --name ${made.container} ${repository} \\`);
  say(`       sh -c '<print what the container sees>; exit ${DEMO_EXIT}'`);
  say("   (--local: only local images, no registry asked)");
  const [program, argv] = runDockerCommand(args);
  const code = await spawnShown(program, argv, demoEnv(made.temp));
  checkpoint();
  if (code === DEMO_EXIT) {
    say(`   run-docker exited ${code}: the container's exit code, passed through.`);
  }
  return code;
}

/** What the clean-up removed and what it could not remove. */
interface CleanUp {
  removed: string[];
  left: string[];
}

async function cleanUp(made: Made): Promise<CleanUp> {
  const done: CleanUp = { removed: [], left: [] };
  if (made.container !== undefined) {
    const rm = await runCommand("docker", ["rm", "--force", made.container]);
    // docker rm --force exits 0 for a container that is not there, saying so on stderr.
    if (/no such container/i.test(rm.stderr)) { /* gone already: run-docker ran it with --rm */ }
    else if (rm.code === 0) done.removed.push(`container ${made.container}`);
    else done.left.push(made.container);
  }
  let images = 0;
  for (const image of made.images) {
    const rmi = await runCommand("docker", ["rmi", image]);
    if (rmi.code === 0) images++;
    else if (!/no such image/i.test(rmi.stderr)) done.left.push(image);
  }
  if (images > 0) done.removed.unshift(images === 1 ? "1 image" : `${images} images`);
  if (made.temp !== undefined) {
    await Deno.remove(made.temp, { recursive: true })
      .then(() => done.removed.push(made.temp!), () => done.left.push(made.temp!));
  }
  return done;
}

/**
 * Runs the demo and cleans up; the exit code: 0 when the demo showed what it
 * should, 125 after an error (one line and a hint), 128+N after signal N.
 *
 * @returns The process's exit code.
 */
export async function main(): Promise<number> {
  const stop = (signal: Deno.Signal) => () => {
    interrupted ??= signal;
    try {
      current?.kill(signal);
    } catch { /* it has just ended */ }
  };
  for (const signal of SIGNALS) Deno.addSignalListener(signal, stop(signal));
  const made: Made = { images: [] };
  let code: number;
  let failure: TryError | undefined;
  try {
    code = await demo(made);
    if (code !== DEMO_EXIT) {
      failure = new TryError(
        `the demo run exited ${code}, not ${DEMO_EXIT}`,
        "see run-docker's message above",
      );
    }
  } catch (error) {
    if (interrupted !== undefined) { /* a child stopped by the signal: not a failure */ }
    else if (error instanceof TryError) failure = error;
    else {
      failure = new TryError(
        error instanceof Error ? error.message.split("\n")[0] : String(error),
        "see the step above",
      );
    }
  }
  const { removed, left } = await cleanUp(made);
  if (removed.length > 0) {
    say(`\n5. Clean up: removed ${removed.join(", ")}.`);
    if (made.container !== undefined && !removed.some((r) => r.startsWith("container "))) {
      say("   The container was gone already: run-docker ran it with --rm.");
    }
  }
  if (left.length > 0) {
    failure ??= new TryError(
      `could not remove ${left.join(", ")}`,
      "remove them with docker rm / docker rmi / rm -r",
    );
  }
  if (failure !== undefined) {
    console.error(`run-docker: error: ${failure.message}\nhint: ${failure.hint}`);
    return 125;
  }
  if (interrupted !== undefined) return 128 + (SIGNAL_NUMBERS[interrupted] ?? 0);
  say("\nNext: run-docker --help, and README.md (What an image needs).");
  return 0;
}

if (import.meta.main) Deno.exit(await main());
