/**
 * Whether this machine stores numbers little-endian: how the kernel writes the fields of the
 * structs synq reads (netlink headers, inet_diag fields, dirents, BPF map values). Addresses
 * and ports in packets stay big-endian whatever the host.
 */
export const HOST_LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
