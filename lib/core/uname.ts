/**
 * What `uname` says on each host OS, for `HOST_UNAME`.
 *
 * Pure module.
 *
 * @module
 */

/**
 * The machine name `uname -m` prints on this OS: Deno says `aarch64` on every 64-bit Arm host,
 * but macOS's `uname -m` says `arm64` on Apple Silicon (Linux says `aarch64`).
 *
 * @param os `Deno.build.os`.
 * @param arch `Deno.build.arch`: `x86_64` or `aarch64`.
 * @returns e.g. `arm64` for `darwin`/`aarch64`; otherwise `arch` as it is.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { unameMachine } from "./uname.ts";
 * assert.equal(unameMachine("darwin", "aarch64"), "arm64");
 * assert.equal(unameMachine("linux", "aarch64"), "aarch64");
 * ```
 */
export function unameMachine(os: string, arch: string): string {
  return os === "darwin" && arch === "aarch64" ? "arm64" : arch;
}
