// `npm run build:bundle`: the compiled server (packages/server/dist) and the packages it
// imports, bundled and minified into packages/server/dist-bundle/ (one file per lazily
// imported part). Run it as `packages/server/dist-bundle/postern.js start` (the bin's Node
// flags come along on its first line), or
// measure it with `BENCH_BIN=packages/server/dist-bundle/postern.js node packages/server/bench/probe.mjs`.
// docs/benchmarks.md ("Memory") says what it changes.
//
// Native addons, optional and worker-loaded packages stay outside, resolved from
// node_modules as usual. Each bundled module of the server keeps its own `import.meta.url`
// (the file it was compiled to), so the connectors still find their README and logo and
// `createRequire` resolves as it does unbundled: the bundle needs dist/ next to it.
import { build } from 'esbuild';
import { chmod, readFile, rm } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';

const server = fileURLToPath(new URL('../packages/server/', import.meta.url));
const outdir = `${server}dist-bundle`;
// Packages that read their own files through __dirname or patch the module loader stay outside too.
const EXTERNAL = [
  'better-sqlite3',
  '@node-rs/argon2',
  'pino-pretty',
  'pg-native',
  'pino',
  'thread-stream',
  '@fastify/swagger',
  '@fastify/swagger-ui',
  '@opentelemetry/*',
  'ioredis',
  // One copy of the kit for the bundle and for custom connectors (POSTERN_CONNECTORS_DIR).
  '@postern/connector-kit',
];

/** Keeps `import.meta.url` of the project's own compiled modules pointing at their dist file. */
const ownUrls = {
  name: 'own-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /[\\/]packages[\\/](server|connector-kit)[\\/](dist|bin)[\\/].*\.js$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      return {
        contents: text.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)),
        loader: 'js',
      };
    });
  },
};

await rm(outdir, { recursive: true, force: true });
const result = await build({
  entryPoints: { postern: `${server}bin/postern.js` },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minify: true,
  legalComments: 'none',
  external: EXTERNAL,
  plugins: [ownUrls],
  // Bundled CommonJS calls `require` for Node's built-ins: give the ES module one.
  banner: {
    js: "import{createRequire as __cr}from'node:module';import{dirname as __dn}from'node:path';import{fileURLToPath as __fu}from'node:url';const require=__cr(import.meta.url),__filename=__fu(import.meta.url),__dirname=__dn(__filename);",
  },
  metafile: true,
  logLevel: 'warning',
});
// Executable, so that its first line's Node flags apply as they do for bin/postern.js.
await chmod(`${outdir}/postern.js`, 0o755);
const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
process.stdout.write(
  `${outdir}: ${Object.keys(result.metafile.outputs).length} files, ${(bytes / 1048576).toFixed(1)} MB\n`,
);
