/**
 * `--emit compose` on a real engine: the emitted file, run with Debian's `docker-compose` (1.29,
 * at DOCKER_HOST), gives the container the same view as a run-docker run of the same image:
 * user, DATADIR, PYTHONPATH, working directory, and the files of the source and data trees.
 *
 * Ignored without an engine or without `docker-compose` (scripts/test.sh installs it); in CI a
 * missing one is a failure.
 */

import assert from "node:assert/strict";
import { docker, ignore, inCI, runDocker, unreachable, withHome } from "./e2e_helpers.ts";
import { runCommand } from "../scripts/run_command.ts";
import { buildTestImages } from "./test_image.ts";

const REPOSITORY = "e2e/compose-app";
const TAG = "20210502-002343";
const IMAGE = `${REPOSITORY}:${TAG}`;
/** What the container sees; `$` reaches it unexpanded only if the Compose file escapes it. */
const SCRIPT =
  'id; echo "$DATADIR"; echo "[$PYTHONPATH]"; pwd; cat hello.txt "$DATADIR/input.txt"; ' +
  'echo "$IMAGE_VERSION $USER"';

const compose = await runCommand("docker-compose", ["version", "--short"]).catch(() => undefined);
const noCompose = compose?.code !== 0;
if (noCompose && !ignore) {
  console.error("--emit compose end-to-end test ignored: no docker-compose");
}
const skip = ignore || ((unreachable !== undefined || noCompose) && !inCI);

if (!skip) await buildTestImages(REPOSITORY, [TAG]);

Deno.test({
  name: "e2e: --emit compose runs under docker-compose with the same container view (dev mode)",
  ignore: skip,
  fn: () =>
    withHome("h", async (home) => {
      try {
        await Deno.mkdir(`${home}/work/src/compose-app`, { recursive: true });
        await Deno.mkdir(`${home}/work/data`, { recursive: true });
        await Deno.mkdir(`${home}/work/log`, { recursive: true });
        await Deno.writeTextFile(`${home}/work/src/compose-app/hello.txt`, "from src\n");
        await Deno.writeTextFile(`${home}/work/data/input.txt`, "from data\n");
        const expected = "uid=1000(docker-user) gid=1000(docker-user) groups=1000(docker-user)\n" +
          "/home/docker-user/data\n[/home/docker-user/src/src]\n/home/docker-user/src\n" +
          `from src\nfrom data\n${TAG} docker-user\n`;

        const run = await runDocker([IMAGE, "sh", "-c", SCRIPT], { home });
        assert.equal(run.code, 0, run.stderr);
        assert.equal(run.stdout, expected);

        const emitted = await runDocker(["--emit", "compose", IMAGE, "sh", "-c", SCRIPT], { home });
        assert.equal(emitted.code, 0, emitted.stderr);
        const file = `${home}/compose.yaml`;
        await Deno.writeTextFile(file, emitted.stdout);
        const project = `rdemit${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
        const env = { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin", HOME: home };
        const host = Deno.env.get("DOCKER_HOST");
        const composeEnv = host ? { ...env, DOCKER_HOST: host } : env;
        try {
          const up = await runCommand(
            "docker-compose",
            ["-f", file, "-p", project, "run", "--rm", "-T", "compose-app"],
            { env: composeEnv },
          );
          assert.equal(up.code, 0, up.stderr);
          assert.equal(up.stdout, expected);
        } finally {
          await runCommand("docker-compose", ["-f", file, "-p", project, "down"], {
            env: composeEnv,
          });
        }
      } finally {
        await docker("rmi", "--force", IMAGE);
      }
    }),
});
