/**
 * The standing attack corpus, config files: 300 hostile files, each as the user
 * file and as the project file (dev mode), run through the program as shipped
 * with a fake engine. Besides the rules of every outcome (exit 0 or 125, one
 * error + hint, no stack trace, no run on an error, no planted secret), a
 * project file never gets what only your own file may set: no engine of its
 * choosing, no extra docker options or host mounts, no other work root.
 */

import { hostileConfigs } from "./corpus_gen_config.ts";
import {
  type Case,
  openHarness,
  type Outcome,
  problems,
  programMissing,
  report,
  runAll,
  tally,
} from "./corpus_harness.ts";

const CONFIGS = 300;
const ARGV = [
  ["--local", "--dry-run", "app:1.0"],
  ["--local", "app:1.0", "true"],
  ["--local", "--print-config", "app"],
  ["--local", "--explain", "--dry-run", "app"],
];
/** What a forbidden key of a project file would bring into the run (see FORBIDDEN_VALUES). */
const SMUGGLED = ["/tmp/evil.sh", "--privileged", "/:/host", "smuggled-workdir", "polluted"];

function projectProblems(o: Outcome): string[] {
  const seen = [o.stdout, ...o.calls.flat()].join("\n");
  return SMUGGLED.filter((s) => seen.includes(s)).map((s) => `project file smuggled ${s}`);
}

Deno.test({
  name: "corpus: 300 hostile config files, as user and as project file, end in exit 0 or one error",
  ignore: Deno.env.get("RUN_DOCKER_E2E") === "skip",
  fn: async () => {
    const missing = programMissing();
    if (missing) throw new Error(missing);
    const started = performance.now();
    const h = await openHarness();
    try {
      const configs = hostileConfigs(0x5eed, CONFIGS);
      const cases: Case[] = configs.flatMap(([label, content], i): Case[] => [
        {
          label: `user file: ${label}`,
          argv: ARGV[i % ARGV.length],
          devMode: i % 2 === 0,
          files: { ".config/run-docker/config.yaml": content },
        },
        {
          label: `project file: ${label}`,
          argv: ARGV[(i + 1) % ARGV.length],
          devMode: true,
          files: { "work/src/app/run-docker.yaml": content },
        },
      ]);
      const outcomes = await runAll(h, cases);
      const broken = outcomes.map((o) =>
        [o, [...problems(o), ...(o.label.startsWith("project") ? projectProblems(o) : [])]] as [
          Outcome,
          string[],
        ]
      ).filter(([, p]) => p.length);
      console.log(
        `corpus config: ${configs.length} files, ${cases.length} runs (user + project); ${
          tally(outcomes)
        }; ${broken.length} broken; ${((performance.now() - started) / 1000).toFixed(1)} s`,
      );
      if (broken.length) throw new Error(`broken cases:\n${report(broken)}`);
      // The same values from your own file do take effect: the project check is not vacuous.
      const honored = outcomes.filter((o) =>
        o.label.startsWith("user") && projectProblems(o).length
      );
      console.log(
        `corpus config: a user file's engine/docker_args/volumes/workdir showed in ${honored.length} runs`,
      );
      if (honored.length === 0) {
        throw new Error("no user file's forbidden-for-projects value took effect");
      }
    } finally {
      await Deno.remove(h.base, { recursive: true });
    }
  },
});
