// `npm start`'s entry, in plain JavaScript on purpose: a Node.js that cannot strip types stops at
// main.ts with a stack trace about ".ts" files before any of our code runs; here it gets one line.
import module from "node:module";

if (!process.features.typescript) {
  process.stderr.write(
    `MouseStats Heatmaps needs Node.js 22.18+ (or 23.6+) to run; this is Node.js ${process.versions.node}. ` +
    "Install Node.js 24, or run `npm install` with devDependencies: npm scripts then use the Node.js 24 it brings.\n",
  );
  process.exit(1);
}

// Node's on-disk cache of compiled modules and of type-stripped TypeScript, in the OS temp folder
// (NODE_COMPILE_CACHE moves it, NODE_DISABLE_COMPILE_CACHE=1 turns it off). On before the app is
// read, so the app is cached too. Measured: import of the server 540 -> 330 ms once warm.
module.enableCompileCache();
// The app runs from its bundle, kept beside that cache and built again when a source changes.
const { runBundledMain } = await import("./bundle/app-bundle.ts");
await runBundledMain();
