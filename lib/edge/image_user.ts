/**
 * Edge module: reads the image user for `user: auto` (see `lib/core/user.ts`). The answer is
 * cached per image ID under `image-users/` of run-docker's cache folder (`cacheDir` of
 * `lib/core/platform_paths.ts`: `$XDG_CACHE_HOME/run-docker`, else `~/.cache/run-docker`). When the tag lookup's `docker image ls` gave the ID, a cached answer
 * costs no engine call; else one `docker image inspect` gives the ID and `Config.User`. Only the
 * first run of an image reads its `/etc/passwd` (`docker create`, `docker cp …:/etc/passwd -`,
 * `docker rm`; the container never starts).
 *
 * @module
 */

import { captureBytes, type Engine } from "./engine.ts";
import { apiImage } from "./engine_api.ts";
import { LABELS } from "../core/labels.ts";
import { VERSION } from "../core/version.ts";
import { type ImageUser, imageUserOf, isUserSpec, needsPasswd } from "../core/user.ts";
import { randomHex } from "./host.ts";
import { mayMakeIn } from "./host_user_files.ts";
import { onStop, spawn } from "./spawn.ts";

/** The most a cache file may hold; a bigger one is not ours and is ignored. */
const CACHE_FILE_BYTES = 4096;

/** The most of `/etc/passwd` that is read. */
const PASSWD_BYTES = 1 << 20;
/** The most of `docker cp`'s tar stream that is read: the file, its header and the padding. */
const TAR_BYTES = PASSWD_BYTES + 4096;

/**
 * The image user of a local image, from the cache or the image.
 *
 * @param engine The engine.
 * @param image The reference as the engine takes it.
 * @param cache run-docker's cache folder (absolute); `undefined`: no cache.
 * @param knownId The image's ID (`sha256:…`) when the tag lookup listed it.
 * @returns `user`: the image user, `undefined` when the image is not local (yet) or its user
 *   cannot be read (the caller assumes docker-user, uid 1000); `save`: writes a newly read answer
 *   to the cache, for the caller to call once the run went well (a failed run changes nothing).
 * @throws {EngineError} when the docker CLI is missing or does not answer in time.
 */
export async function readImageUser(
  engine: Engine,
  image: string,
  cache: string | undefined,
  knownId?: string,
): Promise<ReadUser> {
  const nothing = () => {};
  const known = knownId === undefined ? undefined : hexOf(knownId);
  const early = known === undefined ? undefined : cacheFile(cache, known);
  const hit = early === undefined ? undefined : readCache(early);
  if (hit !== undefined) return { user: hit ?? undefined, save: nothing };
  const inspected = await inspectUser(engine, image);
  if (inspected === undefined) return { user: undefined, save: nothing };
  const { id, configUser } = inspected;
  const hex = hexOf(id);
  const file = hex === undefined ? undefined : cacheFile(cache, hex);
  const cached = file === undefined || file === early ? undefined : readCache(file);
  if (cached !== undefined) return { user: cached ?? undefined, save: nothing };
  const user = needsPasswd(configUser)
    ? imageUserOf(configUser, await readPasswd(engine, hex ?? image))
    : imageUserOf(configUser);
  return { user, save: file === undefined ? nothing : () => writeCache(file, user ?? null) };
}

/**
 * The image's ID and `Config.User`: through the engine's API socket when it has a local one,
 * else one `docker image inspect`.
 */
async function inspectUser(
  engine: Engine,
  image: string,
): Promise<{ id: string; configUser: string } | undefined> {
  // A socket that fails (timeout, an odd answer): the CLI is asked instead.
  const viaApi = await apiImage(engine, image).catch(() => undefined);
  if (viaApi === null) return undefined;
  if (viaApi !== undefined) {
    const config = viaApi.Config as { User?: unknown } | null | undefined;
    const user = config?.User;
    return typeof viaApi.Id === "string"
      ? { id: viaApi.Id, configUser: typeof user === "string" ? user : "" }
      : undefined;
  }
  const inspected = await captureBytes(engine, [
    "image",
    "inspect",
    "--format",
    "{{.Id}}\t{{.Config.User}}",
    image,
  ]);
  if (inspected.code !== 0) return undefined;
  const [id, configUser = ""] = new TextDecoder().decode(inspected.stdout).trim().split("\t");
  return { id, configUser };
}

/** What {@link readImageUser} found. */
export interface ReadUser {
  /** The image user; `undefined`: unknown. */
  readonly user: ImageUser | undefined;
  /** Caches a newly read answer (a no-op for a cached one). */
  readonly save: () => void;
}

/** The 64 hex digits of an image ID (`sha256:` or not), or `undefined`. */
function hexOf(id: string): string | undefined {
  return /^(?:sha256:)?([0-9a-f]{64})$/.exec(id.trim())?.[1];
}

/** The image's `/etc/passwd`, copied out of a container that is created and removed again. */
async function readPasswd(engine: Engine, image: string): Promise<string | undefined> {
  const created = await captureBytes(engine, [
    "create",
    "--pull=never",
    "--label",
    `${LABELS.version}=${VERSION}`,
    "--label",
    `${LABELS.purpose}=read-image-user`,
    image,
    "run-docker-reads-etc-passwd",
  ]);
  const id = new TextDecoder().decode(created.stdout).trim().split("\n").at(-1) ?? "";
  if (created.code !== 0 || !/^[0-9a-f]{12,64}$/.test(id)) return undefined;
  const remove = ["rm", "--force", "--volumes", id];
  // A stop signal now: the removal starts before run-docker exits and finishes on its own.
  const forget = onStop(() => {
    spawn(engine.program, {
      args: remove,
      stdin: "null",
      stdout: "null",
      stderr: "null",
      outlives: true,
    });
  });
  try {
    // The image chooses the file's size: past the limit the copy is stopped, never buffered.
    const copied = await captureBytes(engine, ["cp", `${id}:/etc/passwd`, "-"], TAR_BYTES);
    if (copied.code !== 0 || copied.overflow) return undefined;
    const { unpackTar } = await import("modern-tar"); // only on a cache miss
    const entries = await unpackTar(copied.stdout);
    const entry = entries.find((e) => e.header.type === "file" || e.header.type === undefined);
    if (entry?.data === undefined || entry.data.length > PASSWD_BYTES) return undefined;
    return new TextDecoder().decode(entry.data);
  } catch {
    return undefined; // not a tar stream we understand: the user is unknown
  } finally {
    // --volumes: an image VOLUME gets an anonymous volume at create; it goes too.
    await captureBytes(engine, remove).catch(() => {});
    forget();
  }
}

/** The cache file of an image ID, or `undefined` when there is no cache folder. */
function cacheFile(cache: string | undefined, hex: string): string | undefined {
  return cache === undefined ? undefined : `${cache}/image-users/${hex}.json`;
}

/**
 * The cached answer: an image user, `null` (the image's user could not be read), or `undefined`
 * when there is none to trust (missing, not a plain file, too big, not what run-docker writes).
 */
function readCache(file: string): ImageUser | null | undefined {
  try {
    if (!ownDirectory(file.replace(/\/[^/]*$/, ""))) return undefined;
    const info = Deno.lstatSync(file); // a symlink is never followed
    if (!info.isFile || info.size > CACHE_FILE_BYTES) return undefined;
    const data = JSON.parse(Deno.readTextFileSync(file));
    if (data?.user === null) return null;
    const { name, uid, gid } = data?.user ?? {};
    if (typeof name !== "string" || name.length > 256 || !isUserSpec(name)) return undefined;
    if (![uid, gid].every((n) => Number.isInteger(n) && n >= 0 && n < 2 ** 32)) return undefined;
    return { name, uid, gid };
  } catch {
    return undefined; // missing or corrupt: read the image again
  }
}

/** Writes the answer atomically (a new private file renamed over); failures are ignored. */
function writeCache(file: string, user: ImageUser | null): void {
  const dir = file.replace(/\/[^/]*$/, "");
  const temp = `${dir}/.${randomHex(8)}.tmp`;
  try {
    // Never make folders in someone else's home (root under `sudo` keeps the user's HOME):
    // root-owned folders there would break that user's own runs.
    if (!mayMakeIn(dir)) return;
    Deno.mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (!ownDirectory(dir)) return;
    // createNew: never through a symlink planted at the temp name.
    Deno.writeTextFileSync(temp, JSON.stringify({ user }) + "\n", { createNew: true, mode: 0o600 });
    Deno.renameSync(temp, file); // replaces a symlink at `file` itself, never its target
  } catch {
    try {
      Deno.removeSync(temp);
    } catch {
      // never made
    }
  }
}

/** Whether the cache folder and its parent (`…/run-docker`) are real directories of this user. */
function ownDirectory(dir: string): boolean {
  const uid = Deno.uid();
  return [dir, dir.replace(/\/[^/]*$/, "")].every((d) => {
    const info = Deno.lstatSync(d);
    return info.isDirectory && (uid === null || info.uid === uid);
  });
}
