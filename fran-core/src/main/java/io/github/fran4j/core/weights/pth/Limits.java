package io.github.fran4j.core.weights.pth;

/**
 * The resource limits a {@link PthReader} enforces, one place for the zip guard and the unpickler.
 *
 * @param maxEntries most zip entries
 * @param maxEntryBytes most uncompressed bytes in one entry
 * @param maxTotalBytes most uncompressed bytes declared by all entries together, and read in total
 * @param maxCompressionRatio most uncompressed/compressed ratio of an entry larger than 1 MiB
 * @param maxPickleBytes most bytes of {@code data.pkl}
 * @param maxMemo most memo entries of the pickle
 * @param maxStack most values on the pickle stack
 * @param maxNesting most nesting of containers and marks
 * @param maxStringBytes most bytes of one string or bytes value
 * @param maxExpansion most elements materialized per element stored (views may alias storages)
 */
record Limits(
    int maxEntries,
    long maxEntryBytes,
    long maxTotalBytes,
    int maxCompressionRatio,
    int maxPickleBytes,
    int maxMemo,
    int maxStack,
    int maxNesting,
    int maxStringBytes,
    int maxExpansion) {}
