/**
 * Every form in which a credential of this run could come back in a
 * registry's answer, and a scrubber that removes them all: the raw values
 * (password, identity token, registry token, bearer tokens received), the
 * base64 of `user:password` (padded, unpadded, base64url), their
 * URL-encoded, form-encoded, JSON-escaped and hex forms, and the header values
 * built from them.
 *
 * Pure module: no I/O.
 *
 * @module
 */

import { stripControls } from "../printable.ts";

/** The secret parts of a credential (the shape of `Credential`). */
export interface SecretSource {
  /** User name (redacted too: with the password it makes the Basic value). */
  readonly username?: string;
  /** Password or personal access token. */
  readonly password?: string;
  /** OAuth2 refresh token (`identitytoken`). */
  readonly identityToken?: string;
  /** Bearer token used as it is (`registrytoken`). */
  readonly registryToken?: string;
}

/** What a secret is replaced with. */
export const REDACTED = "[REDACTED]";

/**
 * The base64 of `user:password` as a `Basic` header carries it (UTF-8, padded).
 *
 * @param username The user name.
 * @param password The password.
 * @returns The base64 text.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { basicValue } from "./secrets.ts";
 * assert.equal(basicValue("alice", "pw"), "YWxpY2U6cHc=");
 * ```
 */
export function basicValue(username: string, password: string): string {
  return base64(`${username}:${password}`);
}

/**
 * Lists every form of every secret in play, longest first.
 *
 * @param credential The credential of the run, if any.
 * @param tokens Bearer tokens received from token services.
 * @returns Distinct non-empty forms, longest first (so a longer form is
 *   replaced before a shorter one inside it).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { secretForms } from "./secrets.ts";
 * const forms = secretForms({ username: "alice", password: "p w" }, []);
 * for (const form of ["p w", "p%20w", "p+w", "YWxpY2U6cCB3", "YWxpY2U6cCB3"]) {
 *   assert.ok(forms.includes(form), form);
 * }
 * ```
 */
export function secretForms(
  credential: SecretSource | undefined,
  tokens: Iterable<string>,
): string[] {
  const values = [
    credential?.password,
    credential?.identityToken,
    credential?.registryToken,
    ...tokens,
  ].filter((s): s is string => typeof s === "string" && s !== "");
  const forms = new Set<string>();
  const add = (value: string) => {
    for (const form of encodings(value)) {
      forms.add(form);
      forms.add(stripControls(form));
    }
  };
  for (const value of values) {
    add(value);
    for (const form of base64Forms(base64(value))) forms.add(form);
  }
  if (credential?.password !== undefined && credential.password !== "") {
    const basic = basicValue(credential.username ?? "", credential.password);
    for (const form of base64Forms(basic)) {
      add(form);
      add(`Basic ${form}`);
    }
  }
  forms.delete("");
  return [...forms].sort((a, b) => b.length - a.length);
}

/**
 * Replaces every form from {@link secretForms} in a text. Forms of 4
 * characters or more go wherever they appear; shorter ones (a 3-letter
 * password) only where they stand alone, so that ordinary words survive.
 *
 * @param text Any text bound for the user.
 * @param forms From {@link secretForms}, longest first.
 * @returns The text with each form replaced by `[REDACTED]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { scrubText, secretForms } from "./secrets.ts";
 * const forms = secretForms({ username: "alice", password: "s3cret!" }, ["tok-1234"]);
 * assert.equal(
 *   scrubText("bad auth YWxpY2U6czNjcmV0IQ== / s3cret%21 / Bearer tok-1234", forms),
 *   "bad auth [REDACTED] / [REDACTED] / Bearer [REDACTED]",
 * );
 * ```
 */
export function scrubText(text: string, forms: readonly string[]): string {
  let out = text;
  for (const form of forms) {
    if (form.length >= 4) {
      out = out.replaceAll(form, REDACTED);
    } else {
      const escaped = form.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      out = out.replace(
        new RegExp(`(?<![\\p{L}\\p{N}])${escaped}(?![\\p{L}\\p{N}])`, "gu"),
        REDACTED,
      );
    }
  }
  return out;
}

/** The raw value and the ways URLs, forms, JSON and hex dumps carry it. */
function encodings(value: string): string[] {
  const percent = encodeURIComponent(value);
  const form = new URLSearchParams({ v: value }).toString().slice(2);
  const lower = (s: string) => s.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase());
  const hex = [...new TextEncoder().encode(value)].map((b) => b.toString(16).padStart(2, "0"))
    .join("");
  return [
    value,
    percent,
    lower(percent),
    form,
    lower(form),
    JSON.stringify(value).slice(1, -1),
    hex,
    hex.toUpperCase(),
  ];
}

/** Padded, unpadded and base64url forms of a base64 text. */
function base64Forms(b64: string): string[] {
  const bare = b64.replace(/=+$/, "");
  return [b64, bare, bare.replaceAll("+", "-").replaceAll("/", "_")];
}

function base64(text: string): string {
  return btoa(String.fromCharCode(...new TextEncoder().encode(text)));
}
