/**
 * Registry errors: structured (status, OCI error code, host, repository,
 * hint) and free of credentials.
 *
 * Pure module: no I/O.
 *
 * @module
 */

import { RunDockerError } from "../errors.ts";
import { capLength, escapeControls, stripControls } from "../printable.ts";

/** What kind of failure, for callers that fall back (e.g. to local images). */
export type RegistryFailure =
  | "unreachable" // DNS, refused, reset, timeout: the network
  | "tls" // certificate or handshake
  | "plain-http" // an https request answered in plain http
  | "denied" // 401/403
  | "not-found" // 404 NAME_UNKNOWN
  | "rate-limited" // 429 after retries
  | "too-large" // a body over its cap
  | "protocol"; // anything else the registry answered

/** Longest stretch of a registry's own error text shown, in characters. */
export const DETAIL_LIMIT = 200;

/** What a {@link RegistryError} is made from. */
export interface RegistryErrorInit {
  /** What kind of failure, see {@link RegistryFailure}. */
  kind: RegistryFailure;
  /** Our own words, naming the registry: `registry h answered the request with 500`. */
  message: string;
  /** One line saying what to do (`docker login h`, check the network …). */
  hint: string;
  /** Registry host[:port] as the user wrote it (`docker.io`, `localhost:5000`). */
  host: string;
  /** Repository path (`library/ubuntu`), when the request was about one. */
  repository?: string;
  /** HTTP status, when the registry answered. */
  status?: number;
  /** OCI error code from the body (`NAME_UNKNOWN`, `DENIED`, …), when there was one. */
  code?: string;
  /** The few words for `registry H unreachable (<reason>)`; default: `message`. */
  reason?: string;
  /** The registry's own error text, as it sent it. */
  detail?: string;
}

/**
 * A registry request failed. Its message, hint and reason never hold a
 * credential pattern or a non-printable character; the registry's own text
 * is kept apart in `detail` and shown cut to {@link DETAIL_LIMIT} characters.
 */
export class RegistryError extends RunDockerError {
  /** What kind of failure, for callers that fall back (e.g. to local images). */
  readonly kind: RegistryFailure;
  /** HTTP status, when the registry answered. */
  readonly status?: number;
  /** OCI error code from the body (`NAME_UNKNOWN`, `DENIED`, …), when there was one. */
  readonly code?: string;
  /** Registry host[:port] as the user wrote it (`docker.io`, `localhost:5000`). */
  readonly host: string;
  /** Repository path, when the request was about one. */
  readonly repository?: string;
  /** What went wrong in a few words (`connection refused`, `no answer within 30 s`). */
  readonly reason: string;
  /** The registry's own error text without non-printables, uncut; `undefined` when none. */
  readonly detail?: string;
  readonly #init: RegistryErrorInit;

  /**
   * The message is `init.message`, then `: <detail>` when the registry said something.
   *
   * @param init The error's parts; message, hint and reason are redacted
   *   ({@link redact}) and their control characters escaped, `detail` is
   *   stripped of control characters and cut to {@link DETAIL_LIMIT} in the message.
   */
  constructor(init: RegistryErrorInit) {
    const detail = init.detail === undefined ? undefined : stripControls(init.detail).trim();
    const tail = detail ? `: ${capLength(detail, DETAIL_LIMIT)}` : "";
    super(clean(init.message + tail), clean(init.hint));
    this.name = "RegistryError";
    this.kind = init.kind;
    this.status = init.status;
    this.code = init.code;
    this.host = init.host;
    this.repository = init.repository;
    this.reason = clean((init.reason ?? init.message) + tail);
    this.detail = detail || undefined;
    this.#init = init;
  }

  /**
   * The same error with a function applied to each text (message, hint,
   * reason, detail) before they are cut, so a secret that straddles the
   * cut is still found whole.
   *
   * @param scrub Replaces secrets in a text.
   * @returns A new error, or this one when nothing changed.
   */
  scrubbed(scrub: (text: string) => string): RegistryError {
    const init = this.#init;
    const next: RegistryErrorInit = {
      ...init,
      message: scrub(init.message),
      hint: scrub(init.hint),
      reason: init.reason === undefined ? undefined : scrub(init.reason),
      detail: init.detail === undefined ? undefined : scrub(stripControls(init.detail)),
    };
    const same = next.message === init.message && next.hint === init.hint &&
      next.reason === init.reason && next.detail === init.detail;
    return same ? this : new RegistryError(next);
  }
}

function clean(text: string): string {
  return escapeControls(redact(text));
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
