/**
 * Batching for servers: {@link io.github.fran4j.core.batch.MicroBatcher} groups concurrent
 * single-image generator calls into one model call, which is what fills a GPU.
 */
package io.github.fran4j.core.batch;
