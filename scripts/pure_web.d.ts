/**
 * The web APIs the pure core (`lib/core/`) may use: computations on values,
 * no I/O, no clock, no randomness. `scripts/pure.json` type-checks the core
 * with these and the ECMAScript library only, so `Deno`, `fetch`, timers and
 * streams are type errors there.
 *
 * @module
 */

declare class TextEncoder {
  encode(input?: string): Uint8Array;
}
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean });
  decode(input?: Uint8Array): string;
}
declare class URLSearchParams {
  constructor(init?: string | Record<string, string>);
  get(name: string): string | null;
  toString(): string;
}
declare class URL {
  constructor(url: string, base?: string | URL);
  readonly href: string;
  readonly origin: string;
  readonly protocol: string;
  readonly host: string;
  readonly hostname: string;
  readonly port: string;
  readonly pathname: string;
  readonly search: string;
  readonly searchParams: URLSearchParams;
  toString(): string;
}
declare function btoa(data: string): string;
declare function atob(data: string): string;
