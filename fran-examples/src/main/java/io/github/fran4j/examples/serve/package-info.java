/**
 * {@code fran serve}: an HTTP API and a web page for re-aging, on Javalin (Jetty), around one
 * shared {@link io.github.fran4j.core.ReAger}.
 *
 * <p>{@link io.github.fran4j.examples.serve.ReageServer} wires the routes; requests are admitted
 * by a bounded semaphore plus a bounded queue (beyond both: 429 with {@code Retry-After}); uploads
 * are decoded with {@link io.github.fran4j.core.pipeline.Photos}, whose pixel limit refuses
 * decompression bombs from the header, before the pixels are decoded. Metrics are kept with the
 * Prometheus Java client and exposed at {@code /metrics}. {@link
 * io.github.fran4j.examples.serve.LoadBench} is a loopback-only load generator for the numbers in
 * docs/benchmarks.md. The page ({@code web/} next to these classes in the jar) is plain
 * HTML/CSS/JS and loads nothing from the network.
 */
package io.github.fran4j.examples.serve;
