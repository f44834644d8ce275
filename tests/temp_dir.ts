/**
 * A temp folder for one test, removed afterwards whatever the test did.
 *
 * @module
 */

/**
 * Runs `fn` with a new temp folder and removes the folder (recursively) afterwards.
 *
 * @param fn The test body; gets the folder's absolute path.
 * @param prefix The folder name's prefix, e.g. `rd-host-`.
 */
export async function withDir(
  fn: (dir: string) => Promise<void> | void,
  prefix = "rd-test-",
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
