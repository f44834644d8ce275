/**
 * Registry hosts: Docker Hub's API host, which hosts may use plain http,
 * address classes for realm safety, and per-registry tag page sizes.
 *
 * Pure module: no I/O.
 *
 * @module
 */

import { DOCKER_HUB, DOCKER_HUB_API, DOCKER_HUB_INDEX } from "../reference.ts";

/**
 * The host[:port] to send API requests to.
 *
 * @param registry As in a reference (`docker.io`, `ghcr.io`, `localhost:5000`).
 * @returns `registry-1.docker.io` for Docker Hub, else the registry itself.
 */
export function apiHost(registry: string): string {
  return registry === DOCKER_HUB || registry === DOCKER_HUB_INDEX ? DOCKER_HUB_API : registry;
}

/**
 * Splits `host[:port]`, with IPv6 in brackets.
 *
 * @param hostPort e.g. `localhost:5000`, `[::1]:5000`, `ghcr.io`.
 * @returns `{ hostname, port }`; `hostname` without brackets; `port` absent when none.
 */
export function splitHostPort(hostPort: string): { hostname: string; port?: string } {
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(hostPort) ?? /^([^:]+)(?::(\d+))?$/.exec(hostPort);
  if (m === null) return { hostname: hostPort };
  return m[2] === undefined ? { hostname: m[1] } : { hostname: m[1], port: m[2] };
}

/** Whether a host name is `localhost` or an address in 127.0.0.0/8 or `::1`. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h.endsWith(".localhost") || /^127\.\d+\.\d+\.\d+$/.test(h) ||
    h === "::1" ||
    h === "0:0:0:0:0:0:0:1";
}

/**
 * Whether a host name is a loopback, link-local or private address literal
 * (RFC 1918, 169.254/16, fc00::/7, fe80::/10). Names are not resolved.
 */
export function isPrivateHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (isLoopbackHost(h)) return true;
  const v4 = /^(\d+)\.(\d+)\.\d+\.\d+$/.exec(h);
  if (v4 !== null) {
    const [a, b] = [Number(v4[1]), Number(v4[2])];
    return a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) ||
      (a === 169 && b === 254) || a === 0;
  }
  return /^f[cd][0-9a-f]{0,2}:/.test(h) || /^fe[89ab][0-9a-f]?:/.test(h);
}

/**
 * Whether plain http may be tried (after https fails), as docker does: for
 * loopback registries and those marked insecure.
 *
 * @param registry host[:port].
 * @param insecure Registries marked insecure, `host[:port]` each (a bare host matches any port).
 */
export function httpAllowed(registry: string, insecure: readonly string[]): boolean {
  const { hostname } = splitHostPort(registry);
  if (isLoopbackHost(hostname)) return true;
  return insecure.some((entry) => entry === registry || entry === hostname);
}

/**
 * The `n` to ask for on `tags/list`: none by default (several registries
 * reject large values), 1000 for ECR and GHCR, 10000 for GCR and Artifact Registry.
 *
 * @param registry host[:port].
 * @returns The page size, or `undefined` to send no `n`.
 */
export function tagPageSize(registry: string): number | undefined {
  const { hostname } = splitHostPort(registry);
  if (/\.dkr\.ecr\.[^.]+\.amazonaws\.com(\.cn)?$/.test(hostname) || hostname === "ghcr.io") {
    return 1000;
  }
  if (hostname === "gcr.io" || hostname.endsWith(".gcr.io") || hostname.endsWith(".pkg.dev")) {
    return 10000;
  }
  return undefined;
}
