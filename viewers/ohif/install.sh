#!/usr/bin/env bash
# Installs what the OHIF setup needs, inside viewers/ohif only:
#   node_modules/  playwright-core, from the committed lockfile (npm ci);
#   dist/          the prebuilt OHIF viewer: the @ohif/app tarball pinned in
#                  package.json ("ohif": version and sha512 integrity),
#                  fetched with `npm pack`, checked, unpacked, with this
#                  folder's app-config.js in place of OHIF's demo one.
# @ohif/app's own dependencies are not installed: they are what dist/ was
# built from. Anything already installed at the pinned version is kept, so
# running it again costs nothing.
set -euo pipefail
cd "$(dirname "$0")"

pin() { node -p "require('./package.json').$1"; }

# playwright-core
want=$(node -p "require('./package-lock.json').packages['node_modules/playwright-core'].version")
have=$(node -p "try { require('./node_modules/playwright-core/package.json').version } catch { '' }")
if [ "$have" != "$want" ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi

# OHIF's dist/
name=$(pin ohif.package)
version=$(pin ohif.version)
integrity=$(pin ohif.integrity)
if [ "$(cat dist/.pacslite-ohif 2>/dev/null)" != "$name@$version $integrity" ]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  tgz=$(npm pack "$name@$version" --pack-destination "$tmp" --silent --no-audit --no-fund | tail -n 1)
  got=$(node -e "process.stdout.write('sha512-' + require('crypto').createHash('sha512')
    .update(require('fs').readFileSync(process.argv[1])).digest('base64'))" "$tmp/$tgz")
  if [ "$got" != "$integrity" ]; then
    echo "install.sh: $name@$version has integrity $got, want $integrity" >&2
    exit 1
  fi
  tar -xzf "$tmp/$tgz" -C "$tmp" package/dist package/LICENSE
  rm -rf dist
  mv "$tmp/package/dist" dist
  mv "$tmp/package/LICENSE" dist/LICENSE.ohif
  echo "$name@$version $integrity" >dist/.pacslite-ohif
  echo "installed $name@$version into viewers/ohif/dist"
fi
# The viewer served by any static server talks to a local pacslite.
cp app-config.js dist/app-config.js
