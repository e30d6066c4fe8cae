/**
 * `npm run build`: makes now what `npm start` would make on its first start (about 2 s there):
 * the app's bundle and the page's minified files, in Node's compile cache folder, with the
 * compiled form of the modules that load the bundle. The Dockerfile runs it, as Shopify's app
 * template does (`RUN npm run build`), so that each new container starts from a warm cache.
 * Optional elsewhere: `npm start` builds whatever is missing or out of date.
 */
import module from "node:module";

// As src/start.js does, before the modules below are read: the same folder, and they are cached too.
module.enableCompileCache();
const { buildCacheDir } = await import("../src/bundle/build-cache.ts");
const { BundleError, ensureBundle } = await import("../src/bundle/app-bundle.ts");
const { loadPageAssets } = await import("../src/web/page/page-assets.ts");

try {
  const { built } = await ensureBundle();
  await loadPageAssets();
  process.stdout.write(`The app's bundle ${built ? "was built" : "is up to date"}, with the page's files, in ${buildCacheDir()}\n`);
} catch (err) {
  if (!(err instanceof BundleError)) throw err;
  process.stderr.write(`${err.message}\n`);
  process.exitCode = 1;
}
