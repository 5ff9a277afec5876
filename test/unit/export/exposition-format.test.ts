import { describe, expect, it } from "vitest";
import { negotiateFormat } from "../../../src/export/exposition-format.js";

describe("negotiateFormat", () => {
  it.each([
    // Prometheus 2.42's own header: OpenMetrics first.
    [
      "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1",
      "openmetrics",
    ],
    ["application/openmetrics-text; version=1.0.0", "openmetrics"],
    ["application/openmetrics-text", "openmetrics"],
    ["Application/OpenMetrics-Text; Version=1.0.0; charset=utf-8", "openmetrics"],
    // Only an OpenMetrics version synq does not write.
    ["application/openmetrics-text; version=0.0.1", "prometheus"],
    ["text/plain;version=0.0.4;q=0.9,application/openmetrics-text;q=0.5", "prometheus"],
    ["text/plain", "prometheus"],
    ["*/*", "prometheus"],
    ["", "prometheus"],
    [undefined, "prometheus"],
    ["application/json", "prometheus"],
  ])("%s → %s", (accept, format) => {
    expect(negotiateFormat(accept)).toBe(format);
  });
});
