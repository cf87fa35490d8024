#!/usr/bin/env -S node --max-semi-space-size=4 --heap-growing-percent=15 --liftoff-only
// The flags above size V8's heap for a long-running service: a young generation of 2×4 MB
// and an old generation that grows by 15 % over what is live after each full collection
// (instead of V8's default of up to 2–4×), so memory follows the live set; WebAssembly
// (the HTTP parser of undici and of Node's fetch) stays on the baseline compiler, whose
// code is ready at once, instead of being recompiled by the optimising one under load,
// which costs about 30 MB of peak RSS for no measurable speed. They apply when
// this file is run as a program (`postern`, `npx postern`, `npm start`); see
// docs/benchmarks.md for what they change.
import { runCli } from '../dist/cli.js';

await runCli();
