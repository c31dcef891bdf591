#!/usr/bin/env bash
# Builds runners/target/beamline-<runner>.jar for spark, flink and direct, and runs `generate` and
# `etl` with each jar on the same small sample. Fails unless every run exits 0 (counts conserved)
# and all three report the same counts.
set -euo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d "${TMPDIR:-/tmp}/beamline-jars.XXXXXX")
trap 'rm -rf "$work"' EXIT

summaries=()
# Direct last, so that its jar (README command 1) is the one left in place without a rebuild.
for runner in spark flink direct; do
  mvn -B -q -P"$runner" -DskipTests package
  jar="runners/target/beamline-$runner.jar"
  if [ ! -d "$work/input" ]; then
    java -jar "$jar" generate --count=300 --days=1 --badFraction=0.1 \
      --outputPath="$work/input" --keyringPath="$work/keyring.json"
  fi
  start=$(date +%s)
  java -jar "$jar" etl --inputPath="$work/input" --outputRoot="$work/out-$runner" \
    --keyringPath="$work/keyring.json" --schemaDir=schemas > "$work/$runner.txt"
  echo "$runner: etl finished in $(( $(date +%s) - start )) s"
  cat "$work/$runner.txt"
  # The summary minus the lines that differ by nature (run id, runner, timing, paths).
  summaries+=("$(grep -E '^ +[0-9]+ +(rows of|[A-Z_]+$)|counts' "$work/$runner.txt")")
done

if [ "${summaries[0]}" != "${summaries[1]}" ] || [ "${summaries[0]}" != "${summaries[2]}" ]; then
  echo "The runners disagree on the counts." >&2
  exit 1
fi
echo "spark, flink and direct jars: same counts, all conserved"
