// Package ohif serves the prebuilt OHIF viewer (the dist/ folder of the
// @ohif/app npm package, unpacked by install.sh) against a pacslite
// archive. OHIF runs on its own origin and calls the archive's DICOMweb
// root directly, which CORS allows.
//
// The rest of this folder is not Go: package.json and package-lock.json
// (playwright-core, and the pinned @ohif/app version and integrity),
// install.sh, serve-ohif, app-config.js (OHIF's configuration for
// pacslite) and ohif.test.mjs (the browser test TestOHIF in ./conformance
// runs).
package ohif
