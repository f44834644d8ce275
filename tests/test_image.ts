/**
 * The test images: see `scripts/demo_image.ts`, shared with `deno task try`
 * and the benchmark (one builder for all of them).
 *
 * @module
 */

export { buildTestImages, makeTestTarball } from "../scripts/demo_image.ts";
