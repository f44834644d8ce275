/**
 * Registry errors: structured (status, OCI error code, host, repository,
 * hint) and free of credentials.
 *
 * Pure module: no I/O.
 *
 * @module
 */

import { RunDockerError } from "../errors.ts";

/** What kind of failure, for callers that fall back (e.g. to local images). */
export type RegistryFailure =
  | "unreachable" // DNS, refused, reset, timeout: the network
  | "tls" // certificate or handshake
  | "denied" // 401/403
  | "not-found" // 404 NAME_UNKNOWN
  | "rate-limited" // 429 after retries
  | "too-large" // a body over its cap
  | "protocol"; // anything else the registry answered

/** A registry request failed. Its message and hint never hold a credential. */
export class RegistryError extends RunDockerError {
  readonly kind: RegistryFailure;
  /** HTTP status, when the registry answered. */
  readonly status?: number;
  /** OCI error code from the body (`NAME_UNKNOWN`, `DENIED`, …), when there was one. */
  readonly code?: string;
  /** Registry host[:port] as the user wrote it (`docker.io`, `localhost:5000`). */
  readonly host: string;
  /** Repository path, when the request was about one. */
  readonly repository?: string;

  constructor(init: {
    kind: RegistryFailure;
    message: string;
    hint: string;
    host: string;
    repository?: string;
    status?: number;
    code?: string;
  }) {
    super(redact(init.message), redact(init.hint));
    this.name = "RegistryError";
    this.kind = init.kind;
    this.status = init.status;
    this.code = init.code;
    this.host = init.host;
    this.repository = init.repository;
  }
}

/**
 * Returns the error with every known secret value removed from its message and hint.
 *
 * @param error A thrown value.
 * @param secrets Passwords and tokens this run holds (empty strings ignored).
 * @returns The same error when it holds none of them, else a scrubbed copy.
 */
export function scrubSecrets(error: unknown, secrets: Iterable<string>): unknown {
  if (!(error instanceof RegistryError)) return error;
  let { message, hint } = error;
  for (const secret of secrets) {
    if (secret.length < 3) continue;
    message = message.replaceAll(secret, "[REDACTED]");
    hint = hint.replaceAll(secret, "[REDACTED]");
  }
  if (message === error.message && hint === error.hint) return error;
  return new RegistryError({ ...error, message, hint });
}

/**
 * Removes credentials from text: `Authorization` values, Bearer/Basic
 * tokens, JWTs, and `token`/`access_token`/`refresh_token`/`password`
 * parameters or JSON fields.
 *
 * @param text Any text that may have passed near a credential.
 * @returns The text with each secret replaced by `[REDACTED]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { redact } from "./errors.ts";
 * assert.equal(redact("Authorization: Bearer abc.def"), "Authorization: [REDACTED]");
 * assert.equal(redact('{"token":"s3cr3t"}'), '{"token":"[REDACTED]"}');
 * ```
 */
export function redact(text: string): string {
  return text
    .replace(/(authorization\s*[:=]\s*)("?)[^"\r\n,]+\2/gi, "$1[REDACTED]")
    .replace(/\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, "$1 [REDACTED]")
    .replace(/\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]*)?/g, "[REDACTED]")
    .replace(
      /(["']?\b(?:access_token|refresh_token|identitytoken|registrytoken|token|password|secret)\b["']?\s*[:=]\s*["']?)[^"'&\s,}]+/gi,
      "$1[REDACTED]",
    );
}
