/** IPv4/IPv6 address arithmetic for rule and address checks (pure, no dependencies). */

function ipv4ToInt(ip: string): number | undefined {
  const parts = ip.split(".");
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return undefined;
    value = value * 256 + Number(part);
  }
  return value;
}

function parseIpv4Cidr(cidr: string): { base: number; bits: number } | undefined {
  const [ip, bitsText] = cidr.split("/");
  const base = ipv4ToInt(ip ?? "");
  const bits = bitsText === undefined ? 32 : Number(bitsText);
  if (base === undefined || !Number.isInteger(bits) || bits < 0 || bits > 32) return undefined;
  return { base, bits };
}

const PRIVATE_V4 = [
  "10.0.0.0/8",
  "172.16.0.0/12",
  "192.168.0.0/16",
  "100.64.0.0/10",
  "127.0.0.0/8",
  "169.254.0.0/16",
];

/** True when IPv4 CIDR `inner` lies entirely within `outer`. */
export function ipv4CidrWithin(inner: string, outer: string): boolean {
  const a = parseIpv4Cidr(inner);
  const b = parseIpv4Cidr(outer);
  if (!a || !b || a.bits < b.bits) return false;
  const size = 2 ** (32 - b.bits);
  return Math.floor(a.base / size) === Math.floor(b.base / size);
}

/** True for an IPv4 CIDR inside private, shared (CGNAT), loopback or link-local space. */
export function isPrivateIpv4Cidr(cidr: string): boolean {
  return PRIVATE_V4.some((range) => ipv4CidrWithin(cidr, range));
}

/** An IPv6 address as a 128-bit number; `undefined` when it is not one. */
function ipv6ToBigInt(ip: string): bigint | undefined {
  const halves = ip.toLowerCase().split("::");
  if (halves.length > 2) return undefined;
  const groupsOf = (part: string | undefined): string[] | undefined => {
    if (!part) return [];
    const groups = part.split(":");
    const last = groups.at(-1) ?? "";
    if (last.includes(".")) {
      // An embedded IPv4 address (::ffff:10.0.0.1) is the last two groups.
      const v4 = ipv4ToInt(last);
      if (v4 === undefined) return undefined;
      groups.splice(-1, 1, (v4 >>> 16).toString(16), (v4 & 0xffff).toString(16));
    }
    return groups.every((g) => /^[0-9a-f]{1,4}$/.test(g)) ? groups : undefined;
  };
  const head = groupsOf(halves[0]);
  const tail = groupsOf(halves[1]);
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...head, ...Array<string>(halves.length === 1 ? 0 : missing).fill("0"), ...tail];
  return groups.reduce((value, g) => (value << 16n) | BigInt(Number.parseInt(g, 16)), 0n);
}

function parseIpv6Cidr(cidr: string): { base: bigint; bits: number } | undefined {
  const [ip, bitsText, extra] = cidr.split("/");
  const base = ipv6ToBigInt(ip ?? "");
  const bits = bitsText === undefined ? 128 : Number(bitsText);
  if (extra !== undefined || base === undefined || !Number.isInteger(bits) || bits < 0 || bits > 128)
    return undefined;
  return { base, bits };
}

/** True when IPv6 CIDR `inner` lies entirely within `outer` (a VPC's /56, say). */
export function ipv6CidrWithin(inner: string, outer: string): boolean {
  const a = parseIpv6Cidr(inner);
  const b = parseIpv6Cidr(outer);
  if (!a || !b || a.bits < b.bits) return false;
  const shift = BigInt(128 - b.bits);
  return a.base >> shift === b.base >> shift;
}

/**
 * True when an IPv6 address is publicly routable. Every global unicast address AWS assigns is public, even in
 * a "private" subnet (an egress-only gateway only blocks inbound): only ULA (fc00::/7), link-local (fe80::/10)
 * and loopback are not. AWS Config's EC2_INSTANCE_NO_PUBLIC_IP looks at IPv4 only.
 */
export function isPublicIpv6(address: string): boolean {
  const lower = address.toLowerCase().split("/")[0] ?? "";
  if (lower === "::1" || lower === "::") return false;
  const first = Number.parseInt(lower.split(":")[0] || "0", 16);
  if ((first & 0xfe00) === 0xfc00) return false;
  if ((first & 0xffc0) === 0xfe80) return false;
  return true;
}

/** True for an IPv6 CIDR that covers public space (anything but ULA/link-local/loopback). */
export function isPublicIpv6Cidr(cidr: string): boolean {
  const [, bits] = cidr.split("/");
  if (bits !== undefined && Number(bits) < 7) return true;
  return isPublicIpv6(cidr);
}
