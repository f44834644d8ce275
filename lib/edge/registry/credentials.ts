/**
 * Registry credentials from docker's `config.json` and credential helpers.
 *
 * File: `$DOCKER_CONFIG/config.json`, default `~/.docker/config.json`.
 * Precedence: `credHelpers[host]`, then `credsStore`, then `auths`. Docker
 * Hub's key is `https://index.docker.io/v1/`; others are `host[:port]`, with
 * scheme and trailing-slash variants matched. Helper protocol
 * (docker-credential-helpers): `docker-credential-<name> get`, the server
 * URL on stdin, `{"ServerURL","Username","Secret"}` on stdout; Username
 * `<token>` means Secret is an identity token.
 *
 * I/O comes in through {@link CredentialIo}, so tests need no files or helpers.
 *
 * @module
 */

import {
  DOCKER_HUB,
  DOCKER_HUB_API,
  DOCKER_HUB_INDEX,
  DOCKER_HUB_SERVER,
} from "../../core/reference.ts";
import { dockerConfigDir, type HostPlaces } from "../../core/platform_paths.ts";
import { runCaptured } from "../spawn.ts";

/** What to authenticate with. Never printed. */
export interface Credential {
  /** User name for Basic auth or a token request (may be empty with an identity token). */
  readonly username?: string;
  /** Password (or personal access token) for Basic auth or a token request. */
  readonly password?: string;
  /** OAuth2 refresh token (`identitytoken`, or a helper's `<token>` answer). */
  readonly identityToken?: string;
  /** A bearer token to use as it is (`registrytoken`). */
  readonly registryToken?: string;
}

/** The I/O credentials need. */
export interface CredentialIo {
  /** Reads a text file; throws `Deno.errors.NotFound` (or any error) when it cannot. */
  readTextFile(path: string): Promise<string>;
  /**
   * Runs `program get` with `input` on stdin.
   * @returns `undefined` when the program is not on PATH.
   */
  runHelper(
    program: string,
    input: string,
  ): Promise<
    | { code: number; stdout: string; stderr: string; timedOut?: boolean; limitMs?: number }
    | undefined
  >;
  /** Prints one warning line. */
  warn(message: string): void;
}

interface DockerConfig {
  auths?: Record<string, {
    auth?: string;
    username?: string;
    password?: string;
    identitytoken?: string;
    registrytoken?: string;
  }>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

/** Seconds a credential helper may take; it is killed after that. */
export const HELPER_TIMEOUT_SECONDS = 10;

/**
 * The path of docker's client config: `$DOCKER_CONFIG/config.json`, else
 * `<home>/.docker/config.json` with the home host facts found (see `lib/core/platform_paths.ts`).
 *
 * @param host `os`, `home`, and the environment's `DOCKER_CONFIG`.
 * @returns The path.
 */
export function dockerConfigPath(host: HostPlaces): string {
  return `${dockerConfigDir(host).replace(/[\\/]+$/, "")}/config.json`;
}

/** Normalizes an `auths` key or a registry to the host[:port] it names. */
function keyHost(key: string): string {
  const host = key.replace(/^[a-z]+:\/\//i, "").replace(/\/.*$/, "").toLowerCase();
  return host === DOCKER_HUB_INDEX || host === DOCKER_HUB_API ? DOCKER_HUB : host;
}

/**
 * Finds the credential for a registry.
 *
 * @param registry host[:port] as in a reference (`docker.io` for Docker Hub).
 * @param configPath Path of `config.json`.
 * @param io File reading, helper running, warnings.
 * @returns The credential, or `undefined` for anonymous access (no entry,
 *   helper says "credentials not found", helper missing: with one warning).
 */
export async function lookupCredential(
  registry: string,
  configPath: string,
  io: CredentialIo,
): Promise<Credential | undefined> {
  let text: string;
  try {
    text = await io.readTextFile(configPath);
  } catch {
    return undefined; // no config: anonymous
  }
  let config: DockerConfig;
  try {
    config = JSON.parse(text);
  } catch {
    config = undefined as unknown as DockerConfig;
  }
  if (config === null || typeof config !== "object" || Array.isArray(config)) {
    io.warn(`cannot parse ${configPath} as docker's config; using anonymous registry access`);
    return undefined;
  }
  const host = keyHost(registry);
  const server = host === DOCKER_HUB ? DOCKER_HUB_SERVER : host;
  const helpers = typeof config.credHelpers === "object" && config.credHelpers !== null
    ? config.credHelpers
    : {};
  const helperKey = Object.keys(helpers).find((k) => keyHost(k) === host);
  const helper: unknown = helperKey !== undefined ? helpers[helperKey] : config.credsStore;
  if (helper !== undefined && helper !== "") {
    if (typeof helper !== "string" || !/^[A-Za-z0-9._-]+$/.test(helper)) {
      io.warn(
        `credential helper name ${
          JSON.stringify(helper)
        } in ${configPath} is not valid; using anonymous access`,
      );
      return undefined;
    }
    return await fromHelper(helper, server, io);
  }

  const auths = typeof config.auths === "object" && config.auths !== null ? config.auths : {};
  for (const [key, entry] of Object.entries(auths)) {
    if (keyHost(key) !== host || entry === null || typeof entry !== "object") continue;
    if (entry.registrytoken) return { registryToken: entry.registrytoken };
    if (entry.identitytoken) {
      return { identityToken: entry.identitytoken, username: entry.username };
    }
    if (entry.auth) {
      const decoded = decodeBase64(entry.auth);
      const colon = decoded?.indexOf(":") ?? -1;
      if (decoded === undefined || colon === -1) {
        io.warn(
          `cannot decode the auth entry for ${host} in ${configPath}; using anonymous access`,
        );
        return undefined;
      }
      return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
    }
    if (entry.username !== undefined || entry.password !== undefined) {
      return { username: entry.username ?? "", password: entry.password ?? "" };
    }
  }
  return undefined;
}

async function fromHelper(
  name: string,
  server: string,
  io: CredentialIo,
): Promise<Credential | undefined> {
  const program = `docker-credential-${name}`;
  const result = await io.runHelper(program, server);
  if (result === undefined) {
    io.warn(`credential helper ${program} not found on PATH; using anonymous registry access`);
    return undefined;
  }
  if (result.timedOut) {
    io.warn(
      `credential helper ${program} did not answer in ${
        (result.limitMs ?? HELPER_TIMEOUT_SECONDS * 1000) / 1000
      } s; using anonymous registry access`,
    );
    return undefined;
  }
  if (result.code !== 0) {
    if (/credentials not found/i.test(result.stdout + result.stderr)) return undefined;
    io.warn(
      `credential helper ${program} failed (exit ${result.code}); using anonymous registry access`,
    );
    return undefined;
  }
  try {
    const answer = JSON.parse(result.stdout) as { Username?: string; Secret?: string };
    if (!answer.Secret) return undefined;
    if (answer.Username === "<token>") return { identityToken: answer.Secret };
    return { username: answer.Username ?? "", password: answer.Secret };
  } catch {
    io.warn(
      `credential helper ${program} gave an answer that is not JSON; using anonymous registry access`,
    );
    return undefined;
  }
}

function decodeBase64(text: string): string | undefined {
  try {
    const bytes = Uint8Array.from(atob(text.trim()), (c) => c.charCodeAt(0));
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * The I/O of {@link lookupCredential} on this machine. A helper runs in its
 * own process group (see `runCaptured` in lib/spawn.ts): after the time
 * limit the whole group is killed, a grandchild that holds stdout open
 * included, and the answer counts as timed out.
 *
 * @param warn Where warnings go.
 * @param timeoutMs Milliseconds a helper may take (tests shorten it).
 */
export function systemCredentialIo(
  warn: (message: string) => void,
  timeoutMs = HELPER_TIMEOUT_SECONDS * 1000,
): CredentialIo {
  return {
    readTextFile: (path) => Deno.readTextFile(path),
    async runHelper(program, input) {
      try {
        const result = await runCaptured(program, { args: ["get"], input, timeoutMs });
        return result.timedOut ? { ...result, limitMs: timeoutMs } : result;
      } catch (error) {
        if (error instanceof Deno.errors.NotFound) return undefined;
        throw error;
      }
    },
    warn,
  };
}
