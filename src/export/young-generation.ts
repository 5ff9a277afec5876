/**
 * Keeps V8's young generation at the size it starts with (semi-spaces of about 1 MiB) for the
 * life of a long-running exporter. Each collection allocates and drops a few megabytes per
 * thousand listeners, and V8 answers that rate by doubling the semi-spaces, up to 16 MiB each
 * on Node 20 and 64 MiB on Node 24: the RSS then jumps by tens of megabytes. Measured in
 * bench/README.md ("synq export at scale"): no jumps, for more scavenges (a scrape at 10,000
 * listeners ~20 % slower).
 *
 * `--semi-space-growth-factor` is read each time V8 would grow the semi-spaces, so setting it
 * at run time takes effect; `--max-semi-space-size` is read once, at start-up, too early to set
 * from here.
 */
import { setFlagsFromString } from "node:v8";

export function keepYoungGenerationSmall(): void {
  setFlagsFromString("--semi-space-growth-factor=1");
}
