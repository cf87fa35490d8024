import { fileURLToPath } from 'node:url';

/**
 * The layer rules of STYLE.md ("http → core → ports ← storage; connectors depend only on
 * connector-kit"), checked by `npm run lint`. Paths are relative to the repository root.
 * Tests and test support may reach across layers (they wire real peers); production code
 * may not.
 */
const SRC = '^packages/server/src/';
const TEST = '(\\.test\\.ts$|\\.test-helpers\\.ts$|^packages/server/src/testing/)';

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Import cycles hide which module owns what; move the shared part down (lib/, ports).',
      from: { path: '^packages/(server|connector-kit)/src/' },
      to: { circular: true },
    },
    {
      name: 'core-is-pure',
      severity: 'error',
      comment:
        'core/ is the domain: no HTTP, no SQL, no concrete connector or network policy. Wire concretions in main.ts.',
      from: { path: `${SRC}core/`, pathNot: TEST },
      to: { path: `${SRC}(http|storage|connectors|outbound|testing)/|${SRC}(main|cli|config|secret-file)\\.ts$` },
    },
    {
      name: 'storage-implements-ports',
      severity: 'error',
      comment:
        'storage/ implements the ports of core (core/ports.ts, core/*/ports.ts), may throw from the error catalogue (core/errors.ts), and knows nothing above them.',
      from: { path: `${SRC}storage/`, pathNot: TEST },
      to: {
        path: `${SRC}(http|connectors|outbound|testing)/|${SRC}core/|${SRC}(main|cli)\\.ts$`,
        pathNot: [`${SRC}core/ports\\.ts$`, `${SRC}core/[a-z-]+/ports\\.ts$`, `${SRC}core/errors\\.ts$`],
      },
    },
    {
      name: 'http-uses-services',
      severity: 'error',
      comment: 'Routes get services from main.ts, never storage, a concrete connector or the network policy.',
      from: { path: `${SRC}http/`, pathNot: TEST },
      to: { path: `${SRC}(storage|connectors|outbound|testing)/|${SRC}(main|cli)\\.ts$` },
    },
    {
      name: 'connectors-use-only-the-kit',
      severity: 'error',
      comment:
        'A connector depends only on @postern/connector-kit (outbound policy and DKIM key come through its context). The registry may list them.',
      from: { path: `${SRC}connectors/`, pathNot: `${TEST}|${SRC}connectors/(registry|list)\\.ts$` },
      to: { path: `${SRC}(core|http|storage|outbound|testing|lib)/|${SRC}(main|cli|config)\\.ts$` },
    },
    {
      name: 'outbound-is-infrastructure',
      severity: 'error',
      comment: 'outbound/ (the destination policy) knows nothing of the domain, HTTP, storage or connectors.',
      from: { path: `${SRC}outbound/`, pathNot: TEST },
      to: { path: `${SRC}(core|http|storage|connectors|testing)/|${SRC}(main|cli)\\.ts$` },
    },
    {
      name: 'lib-is-generic',
      severity: 'error',
      comment: 'lib/ holds generic helpers; it imports nothing of the application.',
      from: { path: `${SRC}lib/`, pathNot: TEST },
      to: { path: `${SRC}(core|http|storage|connectors|outbound|testing)/` },
    },
    {
      name: 'kit-stands-alone',
      severity: 'error',
      comment: 'The connector kit is the public contract: it depends on no server code.',
      from: { path: '^packages/connector-kit/src/' },
      to: { path: '^packages/(server|console)/' },
    },
    {
      name: 'no-test-support-in-production',
      severity: 'error',
      comment: 'Test helpers and peers are never imported by production code.',
      from: { path: '^packages/(server|connector-kit)/src/', pathNot: TEST },
      to: { path: TEST },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|node_modules)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: fileURLToPath(new URL('./packages/server/tsconfig.test.json', import.meta.url)) },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
    },
  },
};
