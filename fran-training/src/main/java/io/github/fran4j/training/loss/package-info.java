/**
 * FRAN's losses over DJL arrays: L1, the generator's adversarial BCE-with-logits, the
 * discriminator's three-term loss with per-sample wrong ages, and LPIPS (VGG16) from a
 * user-supplied weights file.
 */
package io.github.fran4j.training.loss;
