/**
 * Edge module: `run-docker --complete-images PREFIX`, which the completion scripts call for
 * IMAGE. It asks the engine a run would use (configuration, `DOCKER_HOST`, contexts, podman)
 * for its local images, once, and prints the candidates, one a line.
 *
 * @module
 */

import type { HostFacts } from "../core/facts.ts";
import { parseRunRequest } from "../core/cli.ts";
import { imageCandidates } from "../core/tooling.ts";
import { loadBaseConfig, loadConfig } from "./config/load.ts";
import { engineFrom, locateEndpoint } from "./engine.ts";
import { withApiSocket } from "./engine_api.ts";
import { listLocalImages } from "./engine_images.ts";
import { identifyEngine } from "./engine_kind.ts";
import { print } from "./output.ts";

/**
 * Prints the local images that complete `prefix` (see `imageCandidates`).
 *
 * @param prefix What is typed so far at IMAGE.
 * @param facts Host facts (home, OS, uid).
 * @param env The whole environment.
 * @returns 0, always: a shell's completion shows nothing rather than an error, so a
 *   configuration or engine problem prints nothing (the next run reports it).
 */
export async function completeImages(
  prefix: string,
  facts: HostFacts,
  env: Readonly<Record<string, string | undefined>>,
): Promise<number> {
  let images: string[];
  try {
    const base = await loadBaseConfig({ home: facts.home, env });
    const { config } = await loadConfig(parseRunRequest([]), base);
    const located = await locateEndpoint(engineFrom(config.engine, env), env);
    const identified = await identifyEngine(located, { env, os: facts.os, uid: facts.uid }, true);
    const engine = withApiSocket(identified, env, facts.os);
    images = await listLocalImages(engine);
  } catch {
    return 0;
  }
  const found = imageCandidates(images, prefix);
  return await print({ stdout: found.map((image) => image + "\n").join("") });
}
