// Mocha's spec reporter plus a closing "N passed, N failed" line, which CI counts.
// When NIXIE_TEST_COUNTS is set, the counts are also appended to that file (one "passed failed
// skipped" line per run) so .ci/run can add up several runs.
"use strict";
const Mocha = require("mocha");
const fs = require("node:fs");
const { EVENT_RUN_END } = Mocha.Runner.constants;

class SpecWithSummary extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once(EVENT_RUN_END, () => {
      const s = runner.stats ?? this.stats;
      const passed = s.passes ?? 0;
      const failed = s.failures ?? 0;
      const skipped = s.pending ?? 0;
      process.stdout.write(`\n${passed} passed, ${failed} failed, ${skipped} skipped\n`);
      const file = process.env.NIXIE_TEST_COUNTS;
      if (file) fs.appendFileSync(file, `${passed} ${failed} ${skipped}\n`);
    });
  }
}
module.exports = SpecWithSummary;
