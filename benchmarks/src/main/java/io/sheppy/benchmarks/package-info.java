/**
 * The benchmark of Sheppy for Spring: throughput, latency and cost of the task queue against a raw-Redis baseline
 * measured in the same run.
 */
@NullMarked
package io.sheppy.benchmarks;

import org.jspecify.annotations.NullMarked;
