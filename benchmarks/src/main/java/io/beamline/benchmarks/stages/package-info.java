/**
 * JMH benchmarks of the cost per record of each stage of Beamline's per-record path: parse,
 * decrypt, flatten, validate, protect (alone and as one chain), Avro record building, Parquet
 * encoding, and the coder round trip of every element type that crosses a stage boundary. Each
 * stage's own code is called directly on a fixed pool of generated good events; no pipeline runs.
 *
 * <pre>
 * mvn -q -DskipTests package -pl benchmarks -am
 * java -cp benchmarks/target/classes:$(cat benchmarks/target/runtime-classpath.txt) \
 *     io.beamline.benchmarks.stages.StageBenchmarks --mode=quick --resultFile=benchmarks/results/jmh-stages.json
 * </pre>
 */
package io.beamline.benchmarks.stages;
