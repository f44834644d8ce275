/**
 * `run-docker --completions bash|zsh|fish`: each script sourced in the real shell, completing a
 * partial option, an option's value, a directory, nothing after IMAGE, and (end to end, on the
 * engine) IMAGE from the local repositories and their tags.
 */

import assert from "node:assert/strict";
import { completionScript, type Shell } from "../lib/core/cli/completion_script.ts";
import { imageCandidates } from "../lib/core/tooling.ts";
import { runDockerCommand } from "../scripts/permissions.ts";
import { runCommand } from "../scripts/run_command.ts";
import { baseEnv, docker, e2e, ROOT, withHome } from "./e2e_helpers.ts";
import { buildTestImages } from "./test_image.ts";

const SHELLS: readonly Shell[] = ["bash", "zsh", "fish"];
const ZSH_DRIVER = `${ROOT}tests/completion_zsh.zsh`;

/** What each shell makes of `line` + TAB: bash's and fish's candidates, zsh's completed line. */
async function complete(
  shell: Shell,
  script: string,
  line: string,
  env: Record<string, string>,
): Promise<string[]> {
  const argv: Record<Shell, string[]> = {
    bash: [
      "--norc",
      "--noprofile",
      "-c",
      'source "$1"; f=$(complete -p run-docker | sed -n "s/.*-F \\([^ ]*\\).*/\\1/p"); ' +
      'COMP_LINE=$2; COMP_POINT=${#2}; "$f"; printf "%s\\n" "${COMPREPLY[@]}"',
      "bash",
      script,
      line,
    ],
    zsh: ["-f", ZSH_DRIVER, `${script}-fpath`, line],
    fish: ["--no-config", "-c", "source $argv[1]; complete -C $argv[2]", script, line],
  };
  const result = await runCommand(shell, argv[shell], { env });
  assert.equal(result.code, 0, `${shell}: ${result.stderr}`);
  assert.equal(result.stderr, "", `${shell} said something on stderr`);
  const lines = result.stdout.split("\n").filter((l) => l !== "");
  // fish marks a directory with a trailing /, as zsh does; bash does not.
  return shell === "fish" ? lines.map((l) => l.split("\t")[0].replace(/(.)\/$/, "$1")) : lines;
}

/** A temp folder holding each shell's script. */
async function withScripts(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "run-docker-completion-" });
  try {
    for (const shell of SHELLS) {
      await Deno.writeTextFile(`${dir}/${shell}`, completionScript(shell));
    }
    // zsh's, installed as README says: `_run-docker` in a folder on fpath.
    await Deno.mkdir(`${dir}/zsh-fpath`);
    await Deno.writeTextFile(`${dir}/zsh-fpath/_run-docker`, completionScript("zsh"));
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Expected: bash's and fish's candidates, or what zsh's line becomes. */
type Expect = { list: string[]; zsh: string };

Deno.test("completion scripts complete options, values and directories in real bash, zsh and fish", async () => {
  await withScripts(async (dir) => {
    await Deno.mkdir(`${dir}/data-dir`);
    await Deno.writeTextFile(`${dir}/vars.env`, "A=1\n");
    const env = { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin", HOME: dir, TERM: "dumb" };
    const rows: [string, Expect][] = [
      ["run-docker --hostd", { list: ["--hostdatadir"], zsh: "run-docker --hostdatadir " }],
      ["run-docker --tag-order se", {
        list: ["semver"],
        zsh: "run-docker --tag-order semver ",
      }],
      ["run-docker -m 4g --pull m", { list: ["missing"], zsh: "run-docker -m 4g --pull missing " }],
      ["run-docker --emit k", { list: ["k8s", "kubernetes"], zsh: "run-docker --emit k" }],
      ["run-docker --completions fi", {
        list: ["fish"],
        zsh: "run-docker --completions fish ",
      }],
      [`run-docker --hostdatadir ${dir}/data-d`, {
        list: [`${dir}/data-dir`],
        zsh: `run-docker --hostdatadir ${dir}/data-dir/`,
      }],
      [`run-docker -e A=1 --env-file ${dir}/vars.e`, {
        list: [`${dir}/vars.env`],
        zsh: `run-docker -e A=1 --env-file ${dir}/vars.env `,
      }],
      ["run-docker --self-update --arch", {
        list: ["--archive"],
        zsh: "run-docker --self-update --archive ",
      }],
      // After IMAGE everything is the container's: nothing is offered.
      ["run-docker img --mem", { list: [], zsh: "run-docker img --mem" }],
      ["run-docker -- img --mem", { list: [], zsh: "run-docker -- img --mem" }],
    ];
    for (const shell of SHELLS) {
      for (const [line, expected] of rows) {
        const got = await complete(shell, `${dir}/${shell}`, line, env);
        const want = shell === "zsh" ? [expected.zsh] : expected.list;
        assert.deepEqual(got.sort(), [...want].sort(), `${shell}: ${JSON.stringify(line)}`);
      }
    }
  });
});

Deno.test("completion scripts know every option of the table and none of the hidden ones", () => {
  for (const shell of SHELLS) {
    const script = completionScript(shell);
    for (
      const name of ["--hostdatadir", "nb_port", "--env-file", "config-schema", "print-config"]
    ) {
      assert.ok(script.includes(name.replace(/^--/, "")), `${shell} lacks ${name}`);
    }
    assert.ok(!/-l complete-images|'--complete-images[: ]/.test(script), shell);
  }
});

Deno.test("the bash completion script is shellcheck-clean", async () => {
  await withScripts(async (dir) => {
    const result = await runCommand("shellcheck", ["-s", "bash", `${dir}/bash`]);
    assert.equal(result.code, 0, result.stdout);
  });
});

Deno.test("imageCandidates() offers repositories, then a repository's tags after ':'", () => {
  const images = ["localhost:5000/a/b:1", "acme/app:1", "acme/app:2", "<none>:<none>", "x:<none>"];
  assert.deepEqual(imageCandidates(images, ""), ["acme/app", "localhost:5000/a/b"]);
  assert.deepEqual(imageCandidates(images, "localhost:5000/"), ["localhost:5000/a/b"]);
  assert.deepEqual(imageCandidates(images, "localhost:5000/a/b:"), ["localhost:5000/a/b:1"]);
  assert.deepEqual(imageCandidates(images, "acme/app:2"), ["acme/app:2"]);
  assert.deepEqual(imageCandidates(images, "zzz"), []);
});

e2e("completion scripts complete IMAGE from the engine's local repositories and tags", async () => {
  const repository = "shell-completion/image";
  await buildTestImages(repository, ["20240101-000000", "20240102-000000"]);
  try {
    await withHome("home", async (home) => {
      await withScripts(async (dir) => {
        // `run-docker` on PATH, as installed.
        const [program, args] = runDockerCommand([]);
        const quoted = [program, ...args].map((a) => `'${a.replaceAll("'", `'\\''`)}'`);
        await Deno.mkdir(`${dir}/bin`);
        await Deno.writeTextFile(
          `${dir}/bin/run-docker`,
          `#!/bin/sh\nexec ${quoted.join(" ")} "$@"\n`,
        );
        await Deno.chmod(`${dir}/bin/run-docker`, 0o755);
        const env = baseEnv(home, { TERM: "dumb" });
        env.PATH = `${dir}/bin:${env.PATH}`;
        const rows: [string, Expect][] = [
          ["run-docker --local shell-completion/im", {
            list: [repository],
            zsh: `run-docker --local ${repository} `,
          }],
          [`run-docker ${repository}:`, {
            list: ["20240101-000000", "20240102-000000"], // bash's word starts after the ':'
            zsh: `run-docker ${repository}:2024010`,
          }],
        ];
        for (const shell of SHELLS) {
          for (const [line, expected] of rows) {
            const got = await complete(shell, `${dir}/${shell}`, line, env);
            let want = shell === "zsh" ? [expected.zsh] : expected.list;
            if (shell === "fish" && line.endsWith(":")) {
              want = want.map((t) => `${repository}:${t}`);
            }
            assert.deepEqual(got.sort(), want, `${shell}: ${JSON.stringify(line)}`);
          }
        }
      });
    });
  } finally {
    await docker("image", "rm", `${repository}:20240101-000000`, `${repository}:20240102-000000`);
  }
});
