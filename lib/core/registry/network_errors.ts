/**
 * Fetch failures sorted into registry errors: unreachable (retryable or
 * not), timeouts with the limit that ran out, TLS failures, and an https
 * request answered in plain http.
 *
 * Pure module: no I/O.
 *
 * @module
 */

import { RegistryError } from "./errors.ts";

/** Context for error messages. */
export interface RequestContext {
  /** Registry host[:port] as the user wrote it (`docker.io`, `localhost:5000`). */
  readonly host: string;
  /** Repository path (`library/ubuntu`), when the request was about one. */
  readonly repository?: string;
}

/**
 * Seconds for a message: `30`, `2.5`, `0.3`.
 *
 * @param ms Milliseconds.
 * @returns The seconds, with at most one decimal.
 */
export function seconds(ms: number): string {
  return String(Math.round(ms / 100) / 10);
}

/**
 * The error for a request that got no (complete) answer in time.
 *
 * @param context Host and repository.
 * @param limitMs The limit that ran out, in milliseconds.
 * @param whole `true` when it was the whole lookup's budget, not one request's.
 * @returns An `unreachable` error whose reason is `no answer within N s`.
 */
export function timeoutError(
  context: RequestContext,
  limitMs: number,
  whole: boolean,
): RegistryError {
  const reason = `no answer within ${seconds(limitMs)} s`;
  return new RegistryError({
    host: context.host,
    repository: context.repository,
    kind: "unreachable",
    reason,
    message: whole
      ? `registry ${context.host} gave no complete answer within the lookup's ${seconds(limitMs)} s`
      : `registry ${context.host} did not answer within ${seconds(limitMs)} s`,
    hint: whole
      ? `check the network or the registry, raise registries.${context.host}.timeout_seconds, or run with --local`
      : "check the network or the registry, or run with --local",
  });
}

/**
 * Sorts a fetch failure (or a failure while reading a body).
 *
 * @param error What fetch or the body stream threw.
 * @param context Host and repository.
 * @param limit The limit in force and whether it was the whole budget, for timeouts.
 * @returns The error and whether trying again may help.
 */
export function classifyNetworkError(
  error: unknown,
  context: RequestContext,
  limit: { ms: number; whole: boolean },
): { error: RegistryError; retryable: boolean } {
  if (error instanceof RegistryError) return { error, retryable: false };
  const name = error instanceof Error ? error.name : "";
  const text = error instanceof Error
    ? `${error.message} ${String(error.cause ?? "")}`
    : String(error);
  const base = { host: context.host, repository: context.repository };
  if (name === "TimeoutError" || name === "AbortError") {
    return { error: timeoutError(context, limit.ms, limit.whole), retryable: false };
  }
  if (/certificate|tls|ssl|handshake/i.test(text)) {
    const why = reason(text);
    return {
      error: new RegistryError({
        ...base,
        kind: "tls",
        reason: why,
        message: `TLS failure talking to registry ${context.host}: ${why}`,
        hint:
          `put the registry's CA in ~/.docker/certs.d/${context.host}/ca.crt (or /etc/docker/certs.d/); run-docker never skips certificate checks`,
      }),
      retryable: false,
    };
  }
  if (/InvalidContentType|corrupt message|wrong version number/i.test(text)) {
    return {
      error: new RegistryError({
        ...base,
        kind: "plain-http",
        reason: "answered https with plain http",
        message: `registry ${context.host} answered https with plain http`,
        hint:
          `if it is a plain http registry, allow it: RUN_DOCKER_INSECURE_REGISTRIES=${context.host}`,
      }),
      retryable: false,
    };
  }
  const retryable = /reset|broken pipe|connection closed|unexpected eof|incomplete message/i.test(
    text,
  );
  const why = reason(text);
  return {
    error: new RegistryError({
      ...base,
      kind: "unreachable",
      reason: why,
      message: `cannot reach registry ${context.host}: ${why}`,
      hint: "check the network and the registry's address, or run with --local",
    }),
    retryable,
  };
}

function reason(text: string): string {
  if (/refused/i.test(text)) return "connection refused";
  if (/dns|lookup|name or service not known|no such host|failed to resolve/i.test(text)) {
    return "name not resolved";
  }
  if (/reset/i.test(text)) return "connection reset";
  if (/certificate/i.test(text)) {
    const m = /(UnknownIssuer|expired|NotValidForName|self[- ]signed|unknown ca|BadSignature)/i
      .exec(text);
    return m ? `certificate not trusted (${m[1]})` : "certificate not trusted";
  }
  const short = text.replace(/\s+/g, " ").trim();
  return short.length > 160 ? `${short.slice(0, 160)}…` : short;
}
