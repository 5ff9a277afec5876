import { Flags } from "@oclif/core";

/**
 * The listener and namespace selection shared by the commands that read like `status`
 * (`status`, `export`): parsed by statusReport through selectNetns.
 */
export const selectionFlags = {
  port: Flags.string({ summary: "Only listeners on this port." }),
  netns: Flags.string({
    summary:
      "Network namespace: a name from /run/netns, a path like /proc/PID/ns/net, or a pattern " +
      "(cust-*, pid:*); repeatable.",
    multiple: true,
    multipleNonGreedy: true,
    exclusive: ["all-netns"],
  }),
  "all-netns": Flags.boolean({
    summary: "Every network namespace; each listener tagged with its own.",
  }),
};
