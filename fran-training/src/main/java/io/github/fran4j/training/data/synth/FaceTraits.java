package io.github.fran4j.training.data.synth;

import java.awt.Color;
import java.util.SplittableRandom;

/**
 * The fixed traits of one synthetic identity, drawn once from its seed: everything that does NOT
 * change with age (bone structure, colours, hair style, where its wrinkles will form, how early it
 * greys). {@link PortraitRenderer} combines these with an age. Immutable; package-private because
 * the set of traits is an implementation detail of the renderer.
 */
final class FaceTraits {
  // Skin tones from light to dark (sRGB); an identity blends two neighbours.
  private static final Color[] SKIN = {
    new Color(246, 214, 190), new Color(236, 196, 164), new Color(222, 172, 136),
    new Color(198, 142, 104), new Color(160, 106, 72), new Color(116, 76, 50)
  };
  private static final Color[] HAIR = {
    new Color(28, 22, 20), new Color(60, 40, 28), new Color(102, 70, 42),
    new Color(150, 108, 62), new Color(196, 160, 100), new Color(140, 62, 30)
  };
  private static final Color[] IRIS = {
    new Color(70, 45, 25), new Color(110, 75, 40), new Color(60, 100, 140),
    new Color(80, 120, 80), new Color(120, 110, 70)
  };

  final Color skin;
  final Color hair;
  final Color iris;
  final Color lips;
  final Color background;
  final Color backgroundBottom;
  final Color shirt;
  /** Half widths (in 256-unit canvas) of cheeks, jaw and chin at adult age. */
  final double cheekW;

  final double jawW;
  final double chinW;
  /** Chin y at adult age. */
  final double chinY;

  final double eyeSpacing;
  final double eyeSize;
  final double browThickness;
  final double browArch;
  final double noseWidth;
  final double noseLength;
  final double mouthWidth;
  final double lipThickness;
  /** 0 short, 1 medium, 2 long hair. */
  final int hairStyle;

  final double hairlineY;
  /** How strongly the hairline recedes in old age, 0..1. */
  final double recession;
  /** Years added to the greying, wrinkling and sagging onsets (people age at different rates). */
  final double greyOnset;

  final double wrinkleOnset;
  final double sagOnset;
  /** Seed for the per-identity details (wrinkle jitter, hair strands, skin noise, age spots). */
  final long detailSeed;

  FaceTraits(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    double tone = r.nextDouble() * (SKIN.length - 1);
    skin = lerp(SKIN[(int) tone], SKIN[Math.min(SKIN.length - 1, (int) tone + 1)], tone % 1);
    hair = HAIR[r.nextInt(HAIR.length)];
    iris = IRIS[r.nextInt(IRIS.length)];
    lips = lerp(new Color(196, 98, 96), skin.darker(), 0.25 + 0.3 * r.nextDouble());
    float hue = (float) r.nextDouble();
    background = Color.getHSBColor(hue, 0.18f + 0.2f * (float) r.nextDouble(), 0.78f);
    backgroundBottom = Color.getHSBColor(hue, 0.25f, 0.58f);
    shirt = Color.getHSBColor((float) r.nextDouble(), 0.45f, 0.35f + 0.4f * (float) r.nextDouble());
    cheekW = 58 + 10 * r.nextDouble();
    jawW = 40 + 12 * r.nextDouble();
    chinW = 13 + 10 * r.nextDouble();
    chinY = 204 + 8 * r.nextDouble();
    eyeSpacing = 22 + 4 * r.nextDouble();
    eyeSize = 0.9 + 0.2 * r.nextDouble();
    browThickness = 2.2 + 1.8 * r.nextDouble();
    browArch = 2 + 4 * r.nextDouble();
    noseWidth = 9 + 4 * r.nextDouble();
    noseLength = 28 + 8 * r.nextDouble();
    mouthWidth = 17 + 5 * r.nextDouble();
    lipThickness = 0.8 + 0.5 * r.nextDouble();
    hairStyle = r.nextInt(3);
    hairlineY = 78 + 8 * r.nextDouble();
    recession = r.nextDouble() < 0.55 ? 0.5 + 0.5 * r.nextDouble() : 0.15 * r.nextDouble();
    greyOnset = -6 + 12 * r.nextDouble();
    wrinkleOnset = -5 + 10 * r.nextDouble();
    sagOnset = -5 + 10 * r.nextDouble();
    detailSeed = r.nextLong();
  }

  static Color lerp(Color a, Color b, double t) {
    double u = Math.max(0, Math.min(1, t));
    return new Color(
        (int) Math.round(a.getRed() + (b.getRed() - a.getRed()) * u),
        (int) Math.round(a.getGreen() + (b.getGreen() - a.getGreen()) * u),
        (int) Math.round(a.getBlue() + (b.getBlue() - a.getBlue()) * u),
        (int) Math.round(a.getAlpha() + (b.getAlpha() - a.getAlpha()) * u));
  }
}
