/**
 * Edge module: a {@link RegistryClient} set up for this machine: the system
 * CA store plus docker's per-registry CA files, insecure registries from
 * the environment, credentials from docker's config and helpers.
 *
 * @module
 */

import { RegistryClient } from "./client.ts";
import { dockerConfigPath, lookupCredential, systemCredentialIo } from "./credentials.ts";
import type { Fetch } from "./transport.ts";
import { certsDirs, type HostPlaces } from "../../core/platform_paths.ts";
import { withPlainLoopback } from "./plain_http.ts";

export { RegistryClient } from "./client.ts";
export { RegistryError } from "../../core/registry/errors.ts";

/** How to reach one registry, from the configuration. */
export interface RegistryClientOptions {
  /** Milliseconds for the whole lookup (default 30,000), waits and retries included. */
  readonly budgetMs?: number;
  /**
   * Registries that may be reached over plain http, `host[:port]` each (`registries.<host>.insecure`
   * of the configuration, `RUN_DOCKER_INSECURE_REGISTRIES` included); loopback ones always may.
   */
  readonly insecure?: readonly string[];
}

/**
 * Makes the client for one registry.
 *
 * CA files: `/etc/docker/certs.d/<host[:port]>/*.crt` (Windows: `%ProgramData%\docker\certs.d`)
 * and `~/.docker/certs.d/<host[:port]>/*.crt` (as docker reads them), added to the system store;
 * credentials from `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`, `~` being the home
 * host facts found (see `lib/core/platform_paths.ts`). Plain http: loopback registries and those
 * in `options.insecure`.
 *
 * @param registry host[:port] as in a reference.
 * @param host The OS, the home and the environment (`DOCKER_CONFIG`, `PROGRAMDATA`).
 * @param warn Prints one warning line (credential helper missing, …).
 * @param options Time budget and insecure registries.
 */
export function systemRegistryClient(
  registry: string,
  host: HostPlaces,
  warn: (message: string) => void,
  options: RegistryClientOptions = {},
): RegistryClient {
  // docker's CA files are read, and a client made with them, at the first request that fetch
  // sends (not for a plain-http loopback registry).
  let client: Deno.HttpClient | null | undefined;
  const fetchWithCa: Fetch = withPlainLoopback((input, init) => {
    if (client === undefined) {
      const caCerts = readCaFiles(certsDirs(registry, host));
      client = caCerts.length > 0 ? Deno.createHttpClient({ caCerts }) : null;
    }
    return client === null ? fetch(input, init) : fetch(input, { ...init, client } as RequestInit);
  });
  const configPath = dockerConfigPath(host);
  return new RegistryClient(registry, {
    fetch: fetchWithCa,
    insecure: [...(options.insecure ?? [])],
    budgetMs: options.budgetMs,
    warn,
    credential: () => lookupCredential(registry, configPath, systemCredentialIo(warn)),
  });
}

function readCaFiles(dirs: readonly string[]): string[] {
  const certs: string[] = [];
  for (const dir of dirs) {
    try {
      for (const entry of Deno.readDirSync(dir)) {
        if (entry.isFile && entry.name.endsWith(".crt")) {
          certs.push(Deno.readTextFileSync(`${dir}/${entry.name}`));
        }
      }
    } catch {
      // no such directory: nothing to add
    }
  }
  return certs;
}
