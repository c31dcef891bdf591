#!/usr/bin/env bash
# The benchmark suite (issue 7). Usage: scripts/benchmark.sh [quick|full] [--skip-build] [suite options]
#   quick: 250k events; baseline, native Spark, Direct, Flink, Spark; JMH quick (about 10 minutes)
#   full:  250k, 1M and 4M events, every contender and variant (Direct up to 1M), JMH full, streaming
# Needs Java 17, Maven and GNU time (/usr/bin/time). Results: benchmarks/results/<time>-<mode>/.
# Generated inputs are kept in benchmarks/data/ (git-ignored) and reused by later runs.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=quick
if [ "${1:-}" = quick ] || [ "${1:-}" = full ]; then mode=$1; shift; fi
build=yes
if [ "${1:-}" = --skip-build ]; then build=no; shift; fi

if [ ! -x /usr/bin/time ]; then
  echo "GNU time (/usr/bin/time) is needed: apt-get install time" >&2
  exit 2
fi

if [ "$build" = yes ]; then
  for runner in direct flink spark; do
    mvn -B -q -P"$runner" -DskipTests package
  done
  mvn -B -q -pl benchmarks -am -DskipTests package
fi

cp="$(cat benchmarks/target/runtime-classpath.txt):benchmarks/target/classes"
java -cp "$cp" io.beamline.benchmarks.harness.BenchmarkSuite --mode="$mode" "$@"
results=$(ls -td benchmarks/results/*-"$mode" | head -1)

java -cp "$cp" io.beamline.benchmarks.stages.StageBenchmarks --mode="$mode" \
  --resultFile="$results/stages.json" | tee "$results/stages.txt"

if [ "$mode" = full ]; then
  for runner in direct flink; do
    java -cp "$cp" io.beamline.benchmarks.streaming.StreamingBenchmark \
      --jar="runners/target/beamline-$runner.jar" --runnerName="$runner" \
      --rates=100,200,400,800,1600,3200 --stepSeconds=60 \
      --resultFile="$results/streaming-$runner.json" | tee "$results/streaming-$runner.txt"
  done
fi
echo "results in $results"
