/** Small benchmark programs whose results are recorded under {@code docs/benchmarks-*.md}. */
package io.github.fran4j.examples.bench;
