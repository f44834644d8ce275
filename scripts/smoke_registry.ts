/**
 * For the release workflow's smoke jobs: fills a repository of a registry started in the job
 * (the Distribution registry, anonymous, plain http on 127.0.0.1) with tags through the API, so
 * that the compiled binary's `--resolve` has something to find on every OS, no docker needed.
 *
 *   deno run -A scripts/smoke_registry.ts http://127.0.0.1:5000 smoke/app 20260101-000000 …
 *
 * @module
 */

import { pushTags, type TestRegistry } from "../tests/registry_fixture.ts";

/**
 * Pushes one small manifest per tag into `repository`.
 *
 * @param origin e.g. `http://127.0.0.1:5000`.
 * @param repository e.g. `smoke/app`.
 * @param tags The tags to create.
 * @throws {Error} when the registry refuses a step (the status names which).
 */
export async function fillRepository(
  origin: string,
  repository: string,
  tags: readonly string[],
): Promise<void> {
  const registry: TestRegistry = {
    host: new URL(origin).host,
    origin,
    pushAuth: () => Promise.resolve(undefined),
    tokenRequests: [],
    accessLog: () => "",
    stop: () => Promise.resolve(),
  };
  await pushTags(registry, repository, tags, 4);
}

if (import.meta.main) {
  const [origin, repository, ...tags] = Deno.args;
  if (origin === undefined || repository === undefined || tags.length === 0) {
    console.error("usage: smoke_registry.ts ORIGIN REPOSITORY TAG...");
    Deno.exit(2);
  }
  await fillRepository(origin, repository, tags);
}
