/**
 * `WWW-Authenticate` challenges, parsed per RFC 7235 §2.1 and §4.1:
 * case-insensitive scheme and parameter names, quoted-string values keep
 * spaces, commas and backslash escapes, token values may hold `/` (token68
 * and real-world `Basic realm=/`), several challenges on one line.
 *
 * Pure module: no I/O.
 *
 * @module
 */

/** One challenge: a scheme with its parameters. */
export interface Challenge {
  /** Lowercased scheme, e.g. `bearer`, `basic`. */
  readonly scheme: string;
  /** Parameters by lowercased name, e.g. `{ realm, service, scope }`. */
  readonly params: Readonly<Record<string, string>>;
}

/**
 * Parses one or more `WWW-Authenticate` header values.
 *
 * @param header The header value; several challenges may be comma-separated.
 * @returns The challenges in order; empty for an empty header.
 * @throws {SyntaxError} for an unterminated quoted string or a malformed parameter.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseChallenges } from "./challenge.ts";
 * assert.deepEqual(
 *   parseChallenges('Bearer realm="https://auth.example/token",service="SUSE Linux Docker Registry",scope="repository:a/b:pull,push"'),
 *   [{ scheme: "bearer", params: { realm: "https://auth.example/token", service: "SUSE Linux Docker Registry", scope: "repository:a/b:pull,push" } }],
 * );
 * ```
 */
export function parseChallenges(header: string): Challenge[] {
  const challenges: { scheme: string; params: Record<string, string> }[] = [];
  const n = header.length;
  let i = 0;
  const skip = (chars: string) => {
    while (i < n && chars.includes(header[i])) i++;
  };
  const readToken = (): string => {
    const start = i;
    while (i < n && TOKEN_CHAR.test(header[i])) i++;
    return header.slice(start, i);
  };
  const readQuoted = (): string => {
    let value = "";
    for (i++; i < n; i++) {
      const c = header[i];
      if (c === '"') {
        i++;
        return value;
      }
      if (c === "\\" && i + 1 < n) i++;
      value += header[i];
    }
    throw new SyntaxError(
      `unterminated quoted string in WWW-Authenticate: ${JSON.stringify(header)}`,
    );
  };

  let current: { scheme: string; params: Record<string, string> } | undefined;
  for (;;) {
    skip(" \t,");
    if (i >= n) break;
    const token = readToken();
    if (token === "") {
      throw new SyntaxError(`malformed WWW-Authenticate at ${i}: ${JSON.stringify(header)}`);
    }
    skip(" \t");
    if (current !== undefined && header[i] === "=") {
      i++;
      skip(" \t");
      const value = header[i] === '"' ? readQuoted() : readToken();
      current.params[token.toLowerCase()] = value;
      skip(" \t");
      if (i < n && header[i] !== ",") {
        throw new SyntaxError(`malformed WWW-Authenticate at ${i}: ${JSON.stringify(header)}`);
      }
    } else {
      current = { scheme: token.toLowerCase(), params: {} };
      challenges.push(current);
    }
  }
  return challenges;
}

/** tchar of RFC 7230 plus `/` and `:`, which real registries put in unquoted values. */
const TOKEN_CHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z\/:]/;
