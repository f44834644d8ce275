/**
 * Bearer tokens from a registry's token service: docker's "Token
 * Authentication Specification" (GET with Basic credentials) and "OAuth2
 * Token Authentication" (POST of an identity token as a refresh token).
 * The realm, and every redirect target of a token request, must pass
 * {@link checkRealm}: as go-containerregistry's `realmRedirectCheck`, a
 * redirect is a new request to a new origin.
 *
 * @module
 */

import type { Challenge } from "../../core/registry/challenge.ts";
import type { Credential } from "./credentials.ts";
import { apiHost, isPrivateHost, splitHostPort } from "../../core/registry/hosts.ts";
import { protocolError, statusError } from "../../core/registry/responses.ts";
import { basicValue } from "../../core/registry/secrets.ts";
import { type ReadResponse, SMALL_BODY_LIMIT, type Transport } from "./transport.ts";

/** What a token request needs. */
export interface TokenRequest {
  /** The transport the registry's requests go through (budget, retries, redirect checks). */
  readonly transport: Transport;
  /** host[:port] as in the reference, for messages and the private-address rule. */
  readonly registry: string;
  /** The origin the registry answered on (`https://host`), for the https rule. */
  readonly registryOrigin: string;
  /** The Bearer challenge (its `realm` and `service`). */
  readonly challenge: Challenge;
  /** e.g. `library/ubuntu`; the scope asked for is `repository:<it>:pull`. */
  readonly repository: string;
  /** What to authenticate with at the realm; absent: an anonymous token request. */
  readonly credential?: Credential;
}

/** A token and how long it lasts. */
export interface Token {
  /** The bearer token, sent as `Authorization: Bearer …` to the registry only. Never printed. */
  readonly token: string;
  /** Seconds it is valid for (60 when the service does not say). */
  readonly expiresIn: number;
}

/**
 * Checks a token realm or a redirect target of a token request: http or
 * https only, https when the registry is, and no loopback, link-local or
 * private address unless the registry is on one.
 *
 * @param url The realm or target.
 * @param registry host[:port] as in the reference.
 * @param registryOrigin The registry's origin (`https://ghcr.io`).
 * @param context Host and repository for the error.
 * @returns The URL.
 * @throws {RegistryError} `protocol` when the URL is refused.
 */
export function checkRealm(
  url: URL,
  registry: string,
  registryOrigin: string,
  context: { host: string; repository?: string },
): URL {
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw protocolError(
      `registry ${registry} named a token realm with scheme ${url.protocol}`,
      context,
    );
  }
  if (new URL(registryOrigin).protocol === "https:" && url.protocol !== "https:") {
    throw protocolError(
      `registry ${registry} named a token realm that is not https (${url.host})`,
      context,
    );
  }
  const registryPrivate = isPrivateHost(splitHostPort(apiHost(registry)).hostname);
  if (!registryPrivate && isPrivateHost(url.hostname)) {
    throw protocolError(
      `registry ${registry} named a token realm on a private address (${url.hostname}); refused`,
      context,
    );
  }
  return url;
}

/**
 * Gets a pull token for one repository: POSTs an identity token (falling
 * back to GET when the service has no OAuth2 endpoint), else GETs with
 * Basic credentials or anonymously.
 *
 * @param request See {@link TokenRequest}.
 * @returns The token.
 * @throws {RegistryError} for a refused realm or redirect, a failed request, or an answer without a token.
 */
export async function requestToken(request: TokenRequest): Promise<Token> {
  const { transport, registry, registryOrigin, challenge, repository, credential } = request;
  const context = { host: registry, repository };
  let realm: URL;
  try {
    realm = new URL(challenge.params.realm ?? "");
  } catch {
    throw protocolError(
      `registry ${registry} sent a Bearer challenge without a valid realm`,
      context,
    );
  }
  checkRealm(realm, registry, registryOrigin, context);
  const checkRedirect = (target: URL) => {
    checkRealm(target, registry, registryOrigin, context);
  };
  const service = challenge.params.service ?? "";
  // Our own scope: some registries' challenges name a placeholder scope.
  const scope = `repository:${repository}:pull`;

  let response: ReadResponse | undefined;
  if (credential?.identityToken) {
    const form = new URLSearchParams({
      grant_type: "refresh_token",
      refresh_token: credential.identityToken,
      service,
      scope,
      client_id: "run-docker",
    });
    response = await transport.send(
      realm.href,
      {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: form.toString(),
        credentialBody: true,
        checkRedirect,
      },
      SMALL_BODY_LIMIT,
      context,
    );
    if (response.status === 404) response = undefined; // no OAuth2 endpoint: GET below
  }
  if (response === undefined) {
    const url = new URL(realm.href);
    if (service) url.searchParams.set("service", service);
    url.searchParams.set("scope", scope);
    const headers: Record<string, string> = {};
    if (credential?.username !== undefined && credential.password !== undefined) {
      headers.authorization = `Basic ${basicValue(credential.username, credential.password)}`;
    }
    response = await transport.send(
      url.href,
      { headers, checkRedirect },
      SMALL_BODY_LIMIT,
      context,
    );
  }
  if (response.status !== 200) throw statusError(response, context, "token request");
  let body: { token?: string; access_token?: string; expires_in?: number };
  try {
    body = JSON.parse(new TextDecoder().decode(response.body));
  } catch {
    throw protocolError(
      `the token service of ${registry} sent an answer that is not JSON`,
      context,
    );
  }
  const token = body?.token || body?.access_token;
  if (typeof token !== "string" || token === "") {
    throw protocolError(`the token service of ${registry} sent no token`, context);
  }
  const expiresIn = typeof body.expires_in === "number" && body.expires_in > 0
    ? body.expires_in
    : 60;
  return { token, expiresIn };
}
