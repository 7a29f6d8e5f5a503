import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { BlockList, isIP } from "node:net";
import { networkInterfaces } from "node:os";
import { Refused } from "../refused.ts";

/** A push service's endpoint URL is a capability URL of a few hundred characters; this is ample. */
export const MAX_ENDPOINT_LENGTH = 2_048;

/**
 * Addresses a push must never be posted to: loopback, private, link-local, shared, multicast and
 * reserved ranges, and this machine's own interfaces. A subscription is a URL anyone signed in can
 * hand the server, and the server posts to it: without this it would post into its own network.
 */
function privateRanges(): BlockList {
  const list = new BlockList();
  for (const [net, prefix] of [
    ["0.0.0.0", 8],
    ["10.0.0.0", 8],
    ["100.64.0.0", 10],
    ["127.0.0.0", 8],
    ["169.254.0.0", 16],
    ["172.16.0.0", 12],
    ["192.0.0.0", 24],
    ["192.168.0.0", 16],
    ["198.18.0.0", 15],
    ["224.0.0.0", 3], // multicast and reserved, to 255.255.255.255
  ] as const)
    list.addSubnet(net, prefix, "ipv4");
  for (const [net, prefix] of [
    ["::", 127], // :: and ::1
    ["fc00::", 7],
    ["fe80::", 10],
    ["ff00::", 8],
    ["64:ff9b::", 96], // NAT64: an IPv4 address in disguise
  ] as const)
    list.addSubnet(net, prefix, "ipv6");
  for (const addresses of Object.values(networkInterfaces()))
    for (const { address, family } of addresses ?? [])
      list.addAddress(address.split("%")[0]!, family === "IPv6" ? "ipv6" : "ipv4");
  return list;
}

let ranges: BlockList | null = null;

/** Whether `address` (an IP literal) is one of this machine's or a private network's. */
export function isPrivateAddress(address: string): boolean {
  ranges ??= privateRanges();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return ranges.check(mapped[1]!, "ipv4");
  const family = isIP(address);
  if (family === 0) return true; // not an address at all: never post to it
  return ranges.check(address, family === 6 ? "ipv6" : "ipv4");
}

/**
 * Why a subscription's endpoint is refused, read from the URL alone, or null. Outside tests it must
 * be https and must not name a private address; the host's addresses are checked as it resolves.
 */
export function endpointProblem(endpoint: string, allowLocal: boolean): string | null {
  if (endpoint.length > MAX_ENDPOINT_LENGTH)
    return `The push subscription's endpoint is longer than ${MAX_ENDPOINT_LENGTH} characters.`;
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return "The push subscription's endpoint is not a URL.";
  }
  if (url.protocol !== "https:" && !(allowLocal && url.protocol === "http:"))
    return "The push subscription's endpoint must be an https:// URL of a push service.";
  if (url.username || url.password)
    return "The push subscription's endpoint must not carry a user name or password.";
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (
    !allowLocal &&
    (host === "localhost" || host.endsWith(".localhost") || (isIP(host) && isPrivateAddress(host)))
  )
    return "The push subscription's endpoint points at this machine or a private network.";
  return null;
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * A `lookup` for the request that posts a push: it resolves the host as usual and refuses when any of
 * its addresses is private, so a name that resolved to a public address when the subscription was
 * made cannot be pointed at this network later (DNS rebinding).
 */
export function guardedLookup(allowLocal: boolean) {
  return (hostname: string, options: { all?: boolean; family?: number }, callback: LookupCallback): void => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, options.all ? [] : "", undefined);
      const list = addresses as LookupAddress[];
      if (!allowLocal && list.some((a) => isPrivateAddress(a.address))) {
        const refused: NodeJS.ErrnoException = new Error(`${hostname} resolves to a private address`);
        refused.code = "EPRIVATEADDRESS";
        return callback(refused, options.all ? [] : "", undefined);
      }
      if (options.all) return callback(null, list);
      callback(null, list[0]!.address, list[0]!.family);
    });
  };
}

/** Refuses (400) an endpoint whose host resolves to a private address: checked when it is registered. */
export async function assertPublicHost(endpoint: string, allowLocal: boolean): Promise<void> {
  if (allowLocal) return;
  const host = new URL(endpoint).hostname.replace(/^\[|\]$/g, "");
  const lookup = guardedLookup(false);
  await new Promise<void>((resolve, reject) =>
    lookup(host, { all: true }, (error) => {
      if (!error) return resolve();
      reject(
        new Refused(
          "invalid",
          error.code === "EPRIVATEADDRESS"
            ? "The push subscription's endpoint points at this machine or a private network."
            : "The push subscription's endpoint names a host that cannot be found.",
        ),
      );
    }),
  );
}
