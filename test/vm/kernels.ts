/** A Debian stock kernel the harness boots: its major.minor series and the suite shipping it. */
export interface KernelSpec {
  series: string;
  suite: string;
}

/** The kernels users run: Debian 11, 12 and 13's stock amd64 kernels. */
export const kernelMatrix: readonly KernelSpec[] = [
  { series: "5.10", suite: "bullseye" },
  { series: "6.1", suite: "bookworm" },
  { series: "6.12", suite: "trixie" },
];

/** The matrix entry for a series such as "6.1"; throws naming the valid ones. */
export function kernelSpec(series: string): KernelSpec {
  const spec = kernelMatrix.find((kernel) => kernel.series === series);
  if (spec === undefined) {
    const known = kernelMatrix.map((kernel) => kernel.series).join(", ");
    throw new Error(`Unknown kernel "${series}": choose one of ${known}.`);
  }
  return spec;
}
