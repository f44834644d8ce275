/**
 * `HOST_IP`: the address by which other machines reach this host. Not simply the first IPv4 in
 * enumeration order: on macOS that can be a 169.254 link-local address, a VM bridge
 * (`bridge100`) or a VPN tunnel (`utun3`); on Windows a Hyper-V switch (`vEthernet (WSL)`).
 *
 * Pure module: the edge hands in the interfaces and, where it can read it cheaply (Linux:
 * `/proc/net/route`), the interface of the default route.
 *
 * @module
 */

/** One address of a network interface, as `Deno.networkInterfaces()` lists it. */
export interface InterfaceAddress {
  /** e.g. `en0`, `eth0`, `Wi-Fi`, `vEthernet (WSL)`. */
  readonly name: string;
  /** `IPv4` or `IPv6`. */
  readonly family: string;
  /** e.g. `192.168.1.23`. */
  readonly address: string;
}

/** Interfaces of VMs, containers, VPNs and Apple's peer links: never the host's own address. */
const VIRTUAL =
  /^(lo\d*|docker\d*|br-|veth|virbr|vnet|vmnet|vboxnet|cni|flannel|cali|weave|tun|tap|utun|bridge\d|awdl|llw|anpi|ap\d|gif|stf|zt|tailscale|wg)|^vEthernet|VirtualBox|VMware|Hyper-V|Loopback|Bluetooth/i;

/**
 * Picks the host's address: the default route's interface when known, else (macOS) `en0`, then
 * the first physical-looking interface, skipping loopback, link-local (169.254/16) and virtual
 * adapters; only when nothing else is left, any non-loopback, non-link-local IPv4.
 *
 * @param interfaces The addresses, in the OS's order.
 * @param os `Deno.build.os`.
 * @param defaultRoute The name of the default route's interface, when the edge knows it.
 * @returns An IPv4 address, or `undefined` when there is none.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pickHostIp } from "./host_ip.ts";
 * const mac = [
 *   { name: "bridge100", family: "IPv4", address: "192.168.64.1" },
 *   { name: "en0", family: "IPv4", address: "192.168.1.23" },
 * ];
 * assert.equal(pickHostIp(mac, "darwin"), "192.168.1.23");
 * ```
 */
export function pickHostIp(
  interfaces: readonly InterfaceAddress[],
  os: string,
  defaultRoute?: string,
): string | undefined {
  const usable = interfaces.filter((i) =>
    i.family === "IPv4" && !i.address.startsWith("127.") && !i.address.startsWith("169.254.")
  );
  const physical = usable.filter((i) => !VIRTUAL.test(i.name));
  const named = (name: string | undefined) =>
    name === undefined ? undefined : usable.find((i) => i.name === name);
  return (named(defaultRoute) ?? (os === "darwin" ? named("en0") : undefined) ?? physical[0] ??
    usable[0])?.address;
}

/**
 * The interface of the IPv4 default route, from Linux's `/proc/net/route` text.
 *
 * @param routes The file's text (a header line, then `Iface Destination Gateway Flags …`).
 * @returns The interface name of the first route to `00000000` that is up, or `undefined`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { defaultRouteInterface } from "./host_ip.ts";
 * const text = "Iface\tDestination\tGateway\tFlags\n" +
 *   "docker0\t000011AC\t00000000\t0001\nwlp2s0\t00000000\t0101A8C0\t0003\n";
 * assert.equal(defaultRouteInterface(text), "wlp2s0");
 * ```
 */
export function defaultRouteInterface(routes: string): string | undefined {
  for (const line of routes.split("\n").slice(1)) {
    const [iface, destination, , flags] = line.trim().split(/\s+/);
    // RTF_UP is 0x1.
    if (destination === "00000000" && (parseInt(flags ?? "0", 16) & 1) === 1) return iface;
  }
  return undefined;
}
