import type { Reject } from './compile.js';
import type { Test } from './nodes.js';

/** The cidr operator: IPv4 and IPv6 ranges, parsed without a library. */

/** IPv4 as a 32-bit number, IPv6 as a 128-bit bigint. */
export function compileCidr(value: unknown, at: Reject): Test {
  if (typeof value !== 'string') {
    return at(`cidr: the value must be a string, like {"cidr": "10.0.0.0/24"}`);
  }
  const shown = JSON.stringify(value);
  const slash = value.indexOf('/');
  if (slash < 0) {
    return at(
      `cidr: ${shown} needs a prefix length after a slash, like "10.0.0.0/24"; to match one address, list it as a value`,
    );
  }
  const address = value.slice(0, slash);
  const bitsText = value.slice(slash + 1);
  const v4 = parseIPv4(address);
  const v6 = v4 === undefined ? parseIPv6(address) : undefined;
  if (v4 === undefined && v6 === undefined) {
    return at(`cidr: ${JSON.stringify(address)} in ${shown} is not an IPv4 or IPv6 address`);
  }
  // event-ruler accepts /0-/31 (IPv4) and /0-/127 (IPv6): a single address is matched by value.
  const maxBits = v4 !== undefined ? 31 : 127;
  if (!/^\d{1,3}$/.test(bitsText) || Number(bitsText) > maxBits) {
    return at(
      `cidr: the prefix length in ${shown} must be a whole number from 0 to ${maxBits} for ${v4 !== undefined ? 'IPv4' : 'IPv6'}; to match one address, list it as a value, like [${JSON.stringify(address)}]`,
    );
  }
  const bits = Number(bitsText);
  if (v4 !== undefined) {
    const size = 2 ** (32 - bits);
    const low = v4 - (v4 % size);
    const high = low + size - 1;
    return (v) => {
      if (typeof v !== 'string') return false;
      const ip = parseIPv4(v);
      return ip !== undefined && ip >= low && ip <= high;
    };
  }
  const hostBits = BigInt(128 - bits);
  const low = ((v6 as bigint) >> hostBits) << hostBits;
  const high = low + (1n << hostBits) - 1n;
  return (v) => {
    if (typeof v !== 'string') return false;
    const ip = parseIPv6(v);
    return ip !== undefined && ip >= low && ip <= high;
  };
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function parseIPv4(text: string): number | undefined {
  const m = IPV4.exec(text);
  if (!m) return undefined;
  let result = 0;
  for (let i = 1; i <= 4; i++) {
    const octet = Number(m[i]);
    if (octet > 255) return undefined;
    result = result * 256 + octet;
  }
  return result;
}

const HEX_GROUP = /^[0-9A-Fa-f]{1,4}$/;

function parseIPv6(text: string): bigint | undefined {
  if (text.length < 2 || text.length > 45 || !/^[0-9A-Fa-f:.]+$/.test(text)) return undefined;
  let head = text;
  const tail: number[] = [];
  if (text.includes('.')) {
    // An embedded IPv4 address in the last 32 bits, as in ::ffff:10.0.0.1.
    const cut = text.lastIndexOf(':');
    const v4 = cut < 0 ? undefined : parseIPv4(text.slice(cut + 1));
    if (v4 === undefined) return undefined;
    tail.push(Math.floor(v4 / 65536), v4 % 65536);
    head = text.slice(0, cut + 1);
    if (!head.endsWith('::')) head = head.slice(0, -1);
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const groups = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    for (const g of part.split(':')) {
      if (!HEX_GROUP.test(g)) return undefined;
      out.push(Number.parseInt(g, 16));
    }
    return out;
  };
  const left = groups(halves[0] ?? '');
  const right = halves.length === 2 ? groups(halves[1] ?? '') : [];
  if (left === undefined || right === undefined) return undefined;
  const wanted = 8 - tail.length;
  let all: number[];
  if (halves.length === 1) {
    if (left.length !== wanted) return undefined;
    all = left;
  } else {
    const missing = wanted - left.length - right.length;
    if (missing < 1) return undefined;
    all = [...left, ...new Array<number>(missing).fill(0), ...right];
  }
  let result = 0n;
  for (const g of [...all, ...tail]) result = (result << 16n) | BigInt(g);
  return result;
}
