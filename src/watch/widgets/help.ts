/** The help overlay (`?`). */

/** The help text: the keys and what each panel shows. */
export const HELP_LINES = [
  "{bold}synq watch{/bold}",
  "",
  "q, Ctrl-C  quit          p  pause (sampling goes on)",
  "s          next sort     ↑/↓  select a listener",
  "?          this help",
  "",
  "Listeners: accept queue depth/backlog, SYN-RECV/limit, fill,",
  "  drops (sk_drops) and drops/s, Peak: deepest accept queue",
  "  the tracer saw since the last sample (- without one).",
  "Charts: the selected listener's queues; its namespace's",
  "  ListenOverflows, ListenDrops, TCPReqQFullDrop,",
  "  SyncookiesSent and SyncookiesFailed per second.",
  "Drop log: each SYN/ACK the tracer saw dropped, newest first.",
  "Findings: as synq status --interval reports them.",
];
