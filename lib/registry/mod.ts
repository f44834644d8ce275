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

export { RegistryClient } from "./client.ts";
export { RegistryError } from "./errors.ts";

/**
 * Makes the client for one registry.
 *
 * CA files: `/etc/docker/certs.d/<host[:port]>/*.crt` and
 * `~/.docker/certs.d/<host[:port]>/*.crt` (as docker reads them), added to
 * the system store. Plain http: loopback registries and
 * `RUN_DOCKER_INSECURE_REGISTRIES=host[:port],…`.
 *
 * @param registry host[:port] as in a reference.
 * @param env `HOME`, `DOCKER_CONFIG`, `RUN_DOCKER_INSECURE_REGISTRIES`.
 * @param warn Prints one warning line (credential helper missing, …).
 * @param budgetMs Milliseconds for the whole lookup (default 30,000), waits and retries included.
 */
export function systemRegistryClient(
  registry: string,
  env: Readonly<Record<string, string | undefined>>,
  warn: (message: string) => void,
  budgetMs?: number,
): RegistryClient {
  const caCerts = readCaFiles(registry, env.HOME);
  const client = caCerts.length > 0 ? Deno.createHttpClient({ caCerts }) : undefined;
  const fetchWithCa: Fetch = client === undefined
    ? (input, init) => fetch(input, init)
    : (input, init) => fetch(input, { ...init, client } as RequestInit);
  const insecure = (env.RUN_DOCKER_INSECURE_REGISTRIES ?? "").split(",").map((s) => s.trim())
    .filter(Boolean);
  const configPath = dockerConfigPath({ DOCKER_CONFIG: env.DOCKER_CONFIG, HOME: env.HOME });
  return new RegistryClient(registry, {
    fetch: fetchWithCa,
    insecure,
    budgetMs,
    warn,
    credential: () => lookupCredential(registry, configPath, systemCredentialIo(warn)),
  });
}

function readCaFiles(registry: string, home: string | undefined): string[] {
  const dirs = [`/etc/docker/certs.d/${registry}`];
  if (home) dirs.push(`${home}/.docker/certs.d/${registry}`);
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
