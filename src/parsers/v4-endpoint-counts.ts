/**
 * Counts (port, IPv4 address) pairs in typed arrays (open addressing, linear probing): the
 * SYN-RECV dump adds one per request socket, often 100,000 of them before the JIT has warmed
 * up, so no object, Map or string is made per socket or even per endpoint until the end.
 * Keys are kept raw (the port and address words as the kernel wrote them).
 */
export class V4EndpointCounts {
  private ports = new Int32Array(1024).fill(-1);
  private addresses = new Int32Array(1024);
  private counts = new Int32Array(1024);
  private used = 0;

  /** Adds `n` to the pair's count. `port` is 0..65535; `address` any int32. */
  add(port: number, address: number, n = 1): void {
    const mask = this.ports.length - 1;
    let i = (Math.imul(address ^ (port << 16) ^ port, 0x9e3779b1) >>> 0) & mask;
    for (;;) {
      const p = this.ports[i] as number;
      if (p === -1) break;
      if (p === port && this.addresses[i] === address) {
        this.counts[i] = (this.counts[i] as number) + n;
        return;
      }
      i = (i + 1) & mask;
    }
    this.ports[i] = port;
    this.addresses[i] = address;
    this.counts[i] = n;
    if (++this.used * 2 > this.ports.length) this.grow();
  }

  private grow(): void {
    const { ports, addresses, counts } = this;
    this.ports = new Int32Array(ports.length * 2).fill(-1);
    this.addresses = new Int32Array(ports.length * 2);
    this.counts = new Int32Array(ports.length * 2);
    this.used = 0;
    for (let i = 0; i < ports.length; i++) {
      const port = ports[i] as number;
      if (port !== -1) this.add(port, addresses[i] as number, counts[i] as number);
    }
  }

  /** The slots, for walking every pair without a call per pair: port -1 marks an empty one. */
  slots(): {
    readonly ports: Int32Array;
    readonly addresses: Int32Array;
    readonly counts: Int32Array;
  } {
    return { ports: this.ports, addresses: this.addresses, counts: this.counts };
  }
}
