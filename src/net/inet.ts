/** Address family numbers as the kernel stores them (AF_INET, AF_INET6). */
export const AF_INET = 2;
/** See AF_INET. */
export const AF_INET6 = 10;

/** An IPv4 address from its 4 wire-order bytes. */
export function formatV4(b: Uint8Array): string {
  return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
}

/**
 * An IPv6 address from its 16 bytes, RFC 5952: lower case, no leading zeros, the longest run
 * (2 groups or more, first if tied) of zero groups as `::`; IPv4-mapped as `::ffff:a.b.c.d`.
 */
export function formatV6(b: Uint8Array): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((b[i] as number) << 8) | (b[i + 1] as number));
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return `::ffff:${formatV4(b.subarray(12, 16))}`;
  }
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (gs: number[]) => gs.map((g) => g.toString(16)).join(":");
  if (bestStart < 0) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLen))}`;
}

/** An address of either family (AF_INET uses the first 4 bytes). */
export function formatAddress(family: number, b: Uint8Array): string {
  return family === AF_INET ? formatV4(b) : formatV6(b);
}

/** The /24 (IPv4, first 3 bytes) or /64 (IPv6, first 8 bytes) a remote belongs to. */
export function formatPrefix(family: number, prefix: Uint8Array): string {
  if (family === AF_INET) return `${prefix[0]}.${prefix[1]}.${prefix[2]}.0/24`;
  const b = new Uint8Array(16);
  b.set(prefix.subarray(0, 8));
  return `${formatV6(b)}/64`;
}
