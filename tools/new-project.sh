#!/usr/bin/env bash
# Scaffolds a project: tools/new-project.sh <libs|apps|test> <name> "<tags>"
set -euo pipefail
kind=$1 name=$2 tags=$3
dir="$kind/$name"
mkdir -p "$dir/src"
depth=$(echo "$dir" | awk -F/ '{print NF}')
up=$(printf '../%.0s' $(seq 1 "$depth"))
tagjson=$(echo "$tags" | tr ' ' '\n' | sed 's/.*/"&"/' | paste -sd, -)
pname=$name; [ "$kind" = test ] && pname="test-$name"
cat > "$dir/project.json" <<JSON
{
  "name": "$pname",
  "\$schema": "${up}node_modules/nx/schemas/project-schema.json",
  "sourceRoot": "$dir/src",
  "projectType": "$([ "$kind" = libs ] && echo library || echo application)",
  "tags": [$tagjson]
}
JSON
# Jest's Nx plugin gives a project a test target once it has this file (and its first spec).
cat > "$dir/jest.config.js" <<JS
module.exports = { ...require('${up}jest.preset.js'), displayName: '$pname', rootDir: __dirname };
JS
[ -f "$dir/src/index.ts" ] || [ "$kind" != libs ] || : > "$dir/src/index.ts"
