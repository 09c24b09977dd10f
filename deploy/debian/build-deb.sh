#!/usr/bin/env bash
# Builds the two Debian packages from debian/ with dpkg-buildpackage and checks them with lintian
# (errors and warnings fail the build; debian/*.lintian-overrides lists what is accepted and why).
# Writes dist/kuzet-agent_<version>_<arch>.deb, dist/kuzet-registry_<version>_<arch>.deb (and
# their -dbgsym .ddeb, .buildinfo, .changes). Usage: deploy/debian/build-deb.sh [VERSION]
# VERSION defaults to debian/changelog's; KUZET_SCRATCH names SwiftPM's build folder (.build-deb).
set -euo pipefail
cd "$(dirname "$0")/../.."
version="${1:-$(dpkg-parsechangelog -S Version)}"
arch="$(dpkg --print-architecture)"
dist="$PWD/dist"
mkdir -p "$dist"
rm -f "$dist"/kuzet-agent_"$version"_* "$dist"/kuzet-registry_"$version"_* "$dist"/kuzet-*-dbgsym_"$version"_* \
    "$dist"/kuzet_"$version"_"$arch".{buildinfo,changes}

export KUZET_VERSION="$version" KUZET_DEB_DIR="$dist"
started=$SECONDS
dpkg-buildpackage -b --no-sign \
    --buildinfo-option="-u$dist" --buildinfo-file="$dist/kuzet_${version}_${arch}.buildinfo" \
    --changes-option="-u$dist" --changes-file="$dist/kuzet_${version}_${arch}.changes"
echo "build-deb: dpkg-buildpackage took $((SECONDS - started)) s"

echo "build-deb: lintian"
lintian --fail-on error,warning --display-info --show-overrides "$dist/kuzet_${version}_${arch}.changes"
echo "build-deb: lintian clean (no error, no warning)"
ls -l "$dist"/kuzet-agent_"$version"_"$arch".deb "$dist"/kuzet-registry_"$version"_"$arch".deb
