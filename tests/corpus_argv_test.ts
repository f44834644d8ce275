/**
 * The standing attack corpus, command lines: generated argv vectors (mutations
 * of valid ones) run through the program as shipped with a fake engine. Each
 * ends with exit 0 or 125, at most one error line and one hint, no stack trace,
 * no engine run or pull on an error, nothing left in HOME, no planted secret.
 */

import { argvVectors, HOST_HAZARDS, VALID_VECTORS } from "./corpus_gen.ts";
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

const VECTORS = 1100;

Deno.test({
  name: "corpus: 1,100 generated command lines end in exit 0 or one error line + hint",
  ignore: Deno.env.get("RUN_DOCKER_E2E") === "skip",
  fn: async () => {
    const missing = programMissing();
    if (missing) throw new Error(missing);
    const started = performance.now();
    const h = await openHarness();
    try {
      // Every 5th case has something in the way of ~/work/data or ~/work/log.
      const cases: Case[] = argvVectors(0x8c0b, VECTORS).map(([label, argv], i) => {
        const hazard = i % 5 === 4 ? HOST_HAZARDS[(i / 5 | 0) % HOST_HAZARDS.length] : undefined;
        const blocked = hazard?.name.startsWith("~/work is") ?? false;
        return {
          label: hazard ? `${label} (${hazard.name})` : label,
          argv,
          devMode: i % 2 === 0 && !blocked,
          files: hazard?.files,
          symlinks: hazard?.symlinks,
        };
      });
      const outcomes = await runAll(h, cases);
      const broken = outcomes.map((o) => [o, problems(o)] as [Outcome, string[]]).filter(([, p]) =>
        p.length
      );
      console.log(
        `corpus argv: ${cases.length} vectors (${VALID_VECTORS} valid, ${
          cases.length - VALID_VECTORS
        } mutated; ${cases.filter((c) => c.files || c.symlinks).length} with a host hazard); ${
          tally(outcomes)
        }; ${broken.length} broken; ${((performance.now() - started) / 1000).toFixed(1)} s`,
      );
      if (broken.length) throw new Error(`broken cases:\n${report(broken)}`);
    } finally {
      await Deno.remove(h.base, { recursive: true });
    }
  },
});
