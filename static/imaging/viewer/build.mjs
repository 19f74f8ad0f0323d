// Bundles the image viewer (Cornerstone3D from npm) into static/build/viewer/ (git-ignored, as
// static/build/cpms.css): `npm run build:viewer`, run by `make install`.
//
// - viewer.js: the page's module (format esm: `import.meta.url` stays the bundle's own address);
// - boot.js: starts the decoding worker while viewer.js loads, and imports viewer.js once the first
//   slice (the server's drawing of it) is painted (a few lines, no static import);
// - worker.js: the DICOM decoding web worker, bundled on its own, started by viewer.js from the
//   address the page gives (same origin: the CSP's worker-src 'self');
// - codecs/*.wasm: the decoders of compressed transfer syntaxes, fetched by the worker only when
//   a file needs one (the CSP's 'wasm-unsafe-eval', on the viewer page only).
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "../../..");
const out = join(root, "static/build/viewer");
const require = createRequire(join(root, "package.json"));
const loader = dirname(require.resolve("@cornerstonejs/dicom-image-loader"));

// The codecs' Emscripten glue and vtk.js's XML writer mention Node modules they never use in a
// browser: each resolves to a small stand-in (an EventEmitter that does nothing for `events`).
const BUILTINS = /^(node:)?(fs|path|crypto|module|url|worker_threads|events|stream|util|os|buffer)$/;
const nodeBuiltinsStub = {
  name: "node-builtins-stub",
  setup(build) {
    build.onResolve({ filter: BUILTINS }, (args) => ({ path: args.path, namespace: "node-stub" }));
    build.onLoad({ filter: /.*/, namespace: "node-stub" }, () => ({
      contents:
        "class EventEmitter { on() { return this; } once() { return this; } off() { return this; }" +
        " emit() { return false; } removeListener() { return this; } }" +
        " module.exports = { EventEmitter }; module.exports.default = EventEmitter;",
      loader: "js",
    }));
  },
};

// vtk.js's XML mesh reader (Cornerstone's surface meshes: .vtp files) brings xmlbuilder2, js-yaml and
// a DOM implementation (~300 kB the first image would parse): the viewer shows image stacks, never a
// mesh, so `xmlbuilder2` resolves to a stand-in that refuses.
const noXmlMeshes = {
  name: "no-xml-meshes",
  setup(build) {
    build.onResolve({ filter: /^xmlbuilder2$/ }, (args) => ({ path: args.path, namespace: "no-xml" }));
    build.onLoad({ filter: /.*/, namespace: "no-xml" }, () => ({
      contents: 'export function create() { throw new Error("XML meshes are not in the CPMS viewer."); }',
      loader: "js",
    }));
  },
};

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, "codecs"), { recursive: true });

const common = {
  bundle: true,
  format: "esm",
  target: ["es2022"],
  minify: true,
  legalComments: "linked",
  logLevel: "warning",
  plugins: [nodeBuiltinsStub, noXmlMeshes],
  define: { "process.env.NODE_ENV": '"production"' },
};

// viewer.js and the chunks it imports hold what the first image needs (Cornerstone's core and the
// DICOM image loader); tools.js (@cornerstonejs/tools) is a chunk of its own, imported after the
// first image. The page preloads viewer.js's static imports (<link rel="modulepreload">) from
// chunks.json: {"viewer.js": [the chunks it imports, relative to out]}.
const viewer = await esbuild.build({
  ...common,
  entryPoints: [join(here, "viewer.js")],
  outdir: out,
  splitting: true,
  chunkNames: "chunks/[name]-[hash]",
  metafile: true,
});
const entry = Object.entries(viewer.metafile.outputs).find(([, meta]) => meta.entryPoint?.endsWith("viewer.js"));
const preload = entry[1].imports.filter((i) => i.kind === "import-statement").map((i) => relative(out, join(root, i.path)));
writeFileSync(join(out, "chunks.json"), `${JSON.stringify({ "viewer.js": preload }, null, 2)}\n`);
await esbuild.build({ ...common, entryPoints: [join(here, "boot.js")], outfile: join(out, "boot.js") });
await esbuild.build({
  ...common,
  entryPoints: [join(loader, "decodeImageFrameWorker.js")],
  outfile: join(out, "worker.js"),
});

const codecs = {
  "@cornerstonejs/codec-charls/decodewasm": "charlswasm_decode.wasm",
  "@cornerstonejs/codec-openjpeg/decodewasm": "openjpegwasm_decode.wasm",
  "@cornerstonejs/codec-libjxl/decodewasm": "jpegxlwasm_decode.wasm",
  "@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasm": "libjpegturbowasm_decode.wasm",
  "@cornerstonejs/codec-openjph/wasm": "openjphjs.wasm",
};
for (const [specifier, name] of Object.entries(codecs)) {
  copyFileSync(require.resolve(specifier), join(out, "codecs", name));
}
