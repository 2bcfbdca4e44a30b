/**
 * Re-aging on Apache Spark: {@link io.github.fran4j.spark.FranSpark} maps a Dataset of images
 * through one {@link io.github.fran4j.core.ReAger} per executor JVM, configured by a serialisable
 * {@link io.github.fran4j.spark.ReAgeSpec}; {@link io.github.fran4j.spark.ReAgeJob} is the job
 * that re-ages a folder into another with a Parquet manifest (see docs/spark.md).
 */
package io.github.fran4j.spark;
