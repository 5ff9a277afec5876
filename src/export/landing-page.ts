/** The page at `/`: what this is, a link to the metrics, and which synq serves them. */
export function landingPage(version: string): string {
  const escaped = (text: string) => text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>synq exporter</title></head>
<body>
<h1>synq exporter</h1>
<p>Accept queues, SYN queues, drops and SYN cookies of Linux TCP listeners, for Prometheus.</p>
<p><a href="metrics">Metrics</a></p>
<p>synq ${escaped(version)} on Node.js ${escaped(process.version)}</p>
</body>
</html>
`;
}
