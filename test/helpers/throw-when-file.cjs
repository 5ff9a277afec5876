// Preloaded into a real synq (NODE_OPTIONS=--require <this file>) by tests of its
// uncaught-exception path: once the file named by SYNQ_TEST_THROW_WHEN exists, a timer of the
// main thread throws, as a bug in synq's own code would. synq itself knows nothing of this.
const { existsSync } = require("node:fs");
const { isMainThread } = require("node:worker_threads");

const trigger = process.env.SYNQ_TEST_THROW_WHEN;
if (isMainThread && trigger) {
  const timer = setInterval(() => {
    if (!existsSync(trigger)) return;
    clearInterval(timer);
    throw new Error("thrown from a timer by the test preload");
  }, 100);
  timer.unref();
}
