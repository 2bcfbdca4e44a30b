/**
 * Image values for the generator: {@link io.github.fran4j.core.image.PlanarImage} (planar float
 * RGB in [0, 1] with the source's alpha and bit depth kept), {@link io.github.fran4j.core.image.AgeMap}
 * (an age per pixel, constant, from a grey image or masked, for localized re-aging) and
 * {@link io.github.fran4j.core.image.GeneratorInput} (the one place that knows the 5-channel input
 * layout and the age scale of 100).
 */
package io.github.fran4j.core.image;
