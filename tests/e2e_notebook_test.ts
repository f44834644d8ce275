/**
 * End-to-end tests of the `notebook` shortcut on a real engine, with stand-ins for Jupyter:
 * busybox images (tests/test_image.ts) with a shell script as `jupyter-lab` (it prints what it
 * got) or as a `jupyter` without Lab (it prints a usage text and exits 1, as Jupyter does).
 *
 * @module
 */

import assert from "node:assert/strict";
import { baseEnv, docker, e2e, runDocker, withHome } from "./e2e_helpers.ts";
import { runCommand } from "../scripts/run_command.ts";
import { makeTestTarball } from "./test_image.ts";

/** A fake `jupyter-lab`: what reached it, one line each. */
const FAKE_LAB = `#!/bin/sh
echo "token=$JUPYTER_TOKEN"
echo "dirs=$JUPYTER_DATA_DIR $JUPYTER_RUNTIME_DIR"
echo "args=$*"
`;

/** Jupyter without Lab: `jupyter lab` is an unknown subcommand (usage text, exit 1). */
const JUPYTER_WITHOUT_LAB = `#!/bin/sh
echo "usage: jupyter [-h] [--version] [--config-dir] [subcommand]" >&2
echo "Jupyter command \\\`jupyter-$1\\\` not found." >&2
exit 1
`;

/**
 * Imports `reference` from the busybox rootfs plus the given executable scripts in `/bin`.
 *
 * @param reference e.g. `parity-nb/lab:1`.
 * @param scripts File name in `/bin` → its text.
 */
async function importImage(reference: string, scripts: Record<string, string>): Promise<void> {
  const tarball = await makeTestTarball();
  const extra = await Deno.makeTempDir({ prefix: "run-docker-nb-" });
  try {
    await Deno.mkdir(`${extra}/bin`);
    for (const [name, text] of Object.entries(scripts)) {
      await Deno.writeTextFile(`${extra}/bin/${name}`, text);
      await Deno.chmod(`${extra}/bin/${name}`, 0o755);
    }
    const tar = await runCommand("tar", [
      "--numeric-owner",
      "--owner=0",
      "--group=0",
      "-C",
      extra,
      "-rf",
      tarball,
      ...Object.keys(scripts).map((name) => `./bin/${name}`),
    ]);
    assert.equal(tar.code, 0, tar.stderr);
    const imported = await docker("import", "--change", "ENV PATH=/bin", tarball, reference);
    assert.equal(imported.code, 0, imported.stderr);
  } finally {
    await Deno.remove(extra, { recursive: true });
    await Deno.remove(tarball);
  }
}

/** A port free on 127.0.0.1 just now. */
function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

e2e(
  "notebook --dry-run: the printed line, pasted into sh, gives the container a fresh token",
  () =>
    withHome("h", async (home) => {
      const image = "parity-nb/lab:1";
      await importImage(image, { "jupyter-lab": FAKE_LAB });
      try {
        const port = freePort();
        const dry = await runDocker(["--dry-run", "--nb_port", String(port), image, "notebook"], {
          home,
        });
        assert.equal(dry.code, 0, dry.stderr);
        assert.equal(
          dry.stderr,
          `run-docker: notebook at http://127.0.0.1:${port}/lab?token=$JUPYTER_TOKEN ` +
            "(the command sets JUPYTER_TOKEN to a fresh random token)\n",
        );
        assert.doesNotMatch(dry.stdout, /[0-9a-f]{48}/, "no real token printed");
        // Pasted: sh runs the line as the user's shell would, with no JUPYTER_TOKEN of its own.
        const pasted = await runCommand("sh", ["-c", dry.stdout], { env: baseEnv(home) });
        assert.equal(pasted.code, 0, pasted.stderr);
        const lines = pasted.stdout.split("\n");
        assert.match(lines[0], /^token=[0-9a-f]{48}$/);
        assert.ok(!dry.stdout.includes(lines[0].slice(6)));
        assert.deepEqual(lines.slice(1), [
          "dirs=/tmp/.jupyter/data /tmp/.jupyter/runtime",
          `args=--ip=0.0.0.0 --port=${port} --no-browser --ServerApp.root_dir=/home/docker-user`,
          "",
        ]);
        // Each paste makes its own token.
        const again = await runCommand("sh", ["-c", dry.stdout], { env: baseEnv(home) });
        assert.equal(again.code, 0, again.stderr);
        assert.notEqual(again.stdout.split("\n")[0], lines[0]);
      } finally {
        await docker("rmi", image);
      }
    }),
);

e2e(
  "notebook on an image without JupyterLab: one run-docker line and a hint, exit 127",
  () =>
    withHome("h", async (home) => {
      const image = "parity-nb/nolab:1";
      await importImage(image, { jupyter: JUPYTER_WITHOUT_LAB });
      try {
        // With --init (tini execs the program) and without (the runtime does).
        for (const init of [[], ["--init=false"]]) {
          const port = freePort();
          const result = await runDocker(["--nb_port", String(port), ...init, image, "notebook"], {
            home,
          });
          assert.equal(result.code, 127, result.stderr);
          const lines = result.stderr.trimEnd().split("\n");
          assert.deepEqual(lines.slice(-2), [
            `run-docker: error: ${image} has no Jupyter Lab (jupyter-lab not found)`,
            "hint: install it in the image (pip install jupyterlab), or run another command",
          ], result.stderr);
          const left = await docker("ps", "-aq", "--filter", `ancestor=${image}`);
          assert.equal(left.stdout, "", "no container left behind");
        }
      } finally {
        await docker("rmi", image);
      }
    }),
);
