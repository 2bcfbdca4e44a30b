package io.github.fran4j.training.data.synth;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.MultipleGradientPaint;
import java.awt.RadialGradientPaint;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.geom.AffineTransform;
import java.awt.geom.Area;
import java.awt.geom.Ellipse2D;
import java.awt.geom.GeneralPath;
import java.awt.geom.Path2D;
import java.awt.geom.Point2D;
import java.awt.geom.QuadCurve2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.util.SplittableRandom;

/**
 * Draws one synthetic portrait of an identity at an age with Java2D (antialiased shapes, gradients,
 * strokes). Drawing happens in a 256x256 design space scaled to the output size.
 *
 * <p>Age acts through smooth functions of the age, so adjacent ages differ a little and the same
 * identity stays recognisable: growth (10 to 20: longer lower face, smaller eyes relative to the
 * face), then forehead lines, nasolabial folds, crow's feet, eye bags, hooded lids, greying and
 * receding hair, thinner lips, sallower and rougher skin with age spots, jowls and a sagging jaw
 * line, neck folds. Where a wrinkle forms is fixed per identity; its depth grows with age, and
 * the forehead lines and folds show faintly from the mid-twenties (as expression lines do), so a
 * young adult's face already says where they will deepen. A crease is drawn at least one output
 * pixel wide: at small sizes (the demo's 64 px) its design width would be a fraction of a pixel,
 * antialiased into a faint smear.
 *
 * <p>Stateless and thread-safe; the output depends only on the traits, the age and the size.
 */
final class PortraitRenderer {
  private static final double CX = 128;
  private static final double ZOOM = 1.32;

  private PortraitRenderer() {}

  static double smooth(double a, double b, double x) {
    double t = Math.max(0, Math.min(1, (x - a) / (b - a)));
    return t * t * (3 - 2 * t);
  }

  static BufferedImage render(FaceTraits f, double age, int size) {
    BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
      g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
      g.setRenderingHint(
          RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
      g.scale(size / 256.0, size / 256.0);
      // Zoom on the face so that it fills the frame like an aligned face crop.
      g.translate(128, 150);
      g.scale(ZOOM, ZOOM);
      g.translate(-128, -150);
      new Scene(f, age, size).draw(g);
    } finally {
      g.dispose();
    }
    return img;
  }

  /** All age-dependent geometry and colours of one portrait. */
  private static final class Scene {
    final FaceTraits f;
    final double age;
    final int size;
    final double growth; // 0 at 10, 1 at 20+
    final double lines; // wrinkle depth 0..1
    final double deep; // late wrinkles (crow's feet, bags) 0..1
    final double sag; // jowls and sagging 0..1
    final double grey; // hair greying 0..1
    final double recede; // hairline recession 0..1
    final Color skin;
    final Color dark;
    final Color light;
    final double top;
    final double chinY;
    final double jawY;
    final double jawW;
    final double cheekW;
    final double eyeY;
    final double noseTipY;
    final double mouthY;
    final Shape face;

    Scene(FaceTraits f, double age, int size) {
      this.f = f;
      this.age = age;
      this.size = size;
      growth = smooth(9, 21, age);
      // Expression lines show faintly from the mid-twenties, then deepen.
      lines = 0.25 * smooth(16, 30, age)
          + 0.75 * Math.pow(smooth(24 + f.wrinkleOnset, 80 + f.wrinkleOnset, age), 0.7);
      deep = smooth(36 + f.wrinkleOnset, 84 + f.wrinkleOnset, age);
      sag = smooth(45 + f.sagOnset, 88 + f.sagOnset, age);
      grey = smooth(36 + f.greyOnset, 76 + f.greyOnset, age);
      recede = f.recession * smooth(24, 75, age);
      // Skin: slightly darker, yellower and less rosy with age.
      Color base = f.skin;
      Color aged =
          new Color(
              clamp(base.getRed() * 0.95),
              clamp(base.getGreen() * 0.91),
              clamp(base.getBlue() * 0.87));
      skin = FaceTraits.lerp(base, aged, smooth(20, 85, age));
      dark = scale(skin, 0.58);
      light = FaceTraits.lerp(skin, Color.WHITE, 0.35);
      top = 58 - 2 * growth;
      chinY = f.chinY - 12 * (1 - growth) + 5 * sag;
      cheekW = f.cheekW + 3 * (1 - growth) - 3 * sag;
      jawW = f.jawW - 5 * (1 - growth) + 8 * sag;
      jawY = 176 - 6 * (1 - growth) + 9 * sag;
      eyeY = 128 + 2 * (1 - growth);
      noseTipY = 128 + f.noseLength - 6 * (1 - growth) + 3 * sag;
      mouthY = noseTipY + 20 - 2 * (1 - growth) + 2 * sag;
      face = faceShape();
    }

    Shape faceShape() {
      double w = cheekW;
      double[][] right = {
        {CX + 0.72 * w, top + 10},
        {CX + 0.98 * w, 100},
        {CX + w, 138},
        {CX + jawW + 6 + 6 * (1 - growth), jawY - 10},
        {CX + jawW * 0.72, jawY + 14 + 4 * sag},
        {CX + f.chinW + 4 * sag, chinY - 5},
      };
      int n = right.length;
      double[][] pts = new double[2 * n + 2][];
      pts[0] = new double[] {CX, top};
      for (int i = 0; i < n; i++) {
        pts[1 + i] = right[i];
      }
      pts[n + 1] = new double[] {CX, chinY};
      for (int i = 0; i < n; i++) {
        double[] p = right[n - 1 - i];
        pts[n + 2 + i] = new double[] {2 * CX - p[0], p[1]};
      }
      return closedSpline(pts);
    }

    void draw(Graphics2D g) {
      g.setPaint(new GradientPaint(0, 0, f.background, 0, 256, f.backgroundBottom));
      g.fill(new Rectangle2D.Double(0, 0, 256, 256));
      drawBackHair(g);
      drawBody(g);
      drawEars(g);
      drawFace(g);
      drawHair(g);
      drawBrows(g);
      drawEyes(g);
      drawNose(g);
      drawFolds(g);
      drawMouth(g);
    }

    Color hairColor(double strandGrey) {
      Color grey = new Color(206, 204, 200);
      Color white = new Color(238, 236, 232);
      Color g2 = FaceTraits.lerp(grey, white, smooth(0.6, 1, grey()));
      return FaceTraits.lerp(f.hair, g2, strandGrey);
    }

    double grey() {
      return grey;
    }

    void drawBackHair(Graphics2D g) {
      if (f.hairStyle != 2) {
        return;
      }
      // Long hair behind the head, thinning a little with age.
      GeneralPath p = new GeneralPath();
      double w = cheekW + 16;
      p.moveTo(CX - w, 120);
      p.curveTo(CX - w - 6, top - 20, CX + w + 6, top - 20, CX + w, 120);
      p.lineTo(CX + w + 4 - 6 * sag, 232);
      p.lineTo(CX - w - 4 + 6 * sag, 232);
      p.closePath();
      g.setColor(scale(hairColor(grey * 0.85), 0.8));
      g.fill(p);
      Shape clip = g.getClip();
      g.clip(p);
      drawStrands(g, p.getBounds2D(), 0x8ACL, 260, 0);
      g.setClip(clip);
    }

    void drawBody(Graphics2D g) {
      double neckW = 0.52 * cheekW + 3 * sag;
      Shape neck = new Rectangle2D.Double(CX - neckW, jawY - 10, 2 * neckW, 256 - jawY);
      g.setColor(scale(skin, 0.9));
      g.fill(neck);
      // Shadow under the jaw.
      g.setPaint(
          new GradientPaint(0, (float) (chinY - 8), scale(skin, 0.62), 0, (float) (chinY + 18),
              scale(skin, 0.9)));
      g.fill(new Rectangle2D.Double(CX - neckW, chinY - 20, 2 * neckW, 38));
      // Neck folds in old age.
      if (sag > 0.05) {
        SplittableRandom r = new SplittableRandom(f.detailSeed ^ 0x5EED);
        for (int i = 0; i < 3; i++) {
          double y = chinY + 16 + 10 * i + 2 * r.nextDouble();
          Shape c =
              new QuadCurve2D.Double(CX - neckW * 0.75, y, CX, y + 5, CX + neckW * 0.75, y);
          wrinkle(g, c, sag * 0.8, 1.3);
        }
      }
      GeneralPath shirt = new GeneralPath();
      shirt.moveTo(0, 256);
      shirt.lineTo(0, 238);
      shirt.curveTo(30, 222, CX - neckW - 20, 222, CX - neckW, 226);
      shirt.quadTo(CX, 246, CX + neckW, 226);
      shirt.curveTo(CX + neckW + 20, 222, 226, 222, 256, 238);
      shirt.lineTo(256, 256);
      shirt.closePath();
      g.setColor(f.shirt);
      g.fill(shirt);
    }

    void drawEars(Graphics2D g) {
      double earLen = 30 + 4 * sag;
      for (int s = -1; s <= 1; s += 2) {
        double x = CX + s * (cheekW - 1);
        Shape ear = new Ellipse2D.Double(x - 8, 118, 16, earLen);
        g.setColor(scale(skin, 0.92));
        g.fill(ear);
        g.setColor(scale(skin, 0.72));
        g.setStroke(new BasicStroke(1.4f));
        g.draw(new Ellipse2D.Double(x - 4 + s * 1.5, 123, 8, earLen - 12));
      }
    }

    void drawFace(Graphics2D g) {
      g.setColor(skin);
      g.fill(face);
      // The scalp, visible where the hair recedes.
      Area scalp = new Area(new Ellipse2D.Double(CX - cheekW + 1, top - 12, 2 * cheekW - 2,
          2 * (128 - top + 12)));
      scalp.intersect(new Area(new Rectangle2D.Double(0, 0, 256, 110)));
      g.fill(scalp);
      Shape oldClip = g.getClip();
      g.clip(face);
      // Rounded lighting: light centre, darker rim.
      float r = (float) (cheekW * 1.25);
      g.setPaint(
          new RadialGradientPaint(
              new Point2D.Double(CX - 6, 118),
              r,
              new float[] {0f, 0.6f, 1f},
              new Color[] {alpha(light, 60), alpha(skin, 0), alpha(dark, 120)},
              MultipleGradientPaint.CycleMethod.NO_CYCLE));
      g.fill(face);
      // Rosy cheeks in youth.
      double rosy = 1 - smooth(15, 60, age);
      for (int s = -1; s <= 1; s += 2) {
        g.setPaint(
            new RadialGradientPaint(
                new Point2D.Double(CX + s * 34, noseTipY - 6),
                20f,
                new float[] {0f, 1f},
                new Color[] {new Color(230, 110, 110, (int) (70 * rosy)), new Color(230, 110, 110, 0)}));
        g.fill(new Rectangle2D.Double(CX + s * 34 - 20, noseTipY - 26, 40, 40));
      }
      // Hollow cheeks and jowls with age: shade below the cheekbones and along the jaw.
      if (sag > 0) {
        for (int s = -1; s <= 1; s += 2) {
          g.setPaint(
              new RadialGradientPaint(
                  new Point2D.Double(CX + s * (jawW + 2), jawY - 2),
                  22f,
                  new float[] {0f, 1f},
                  new Color[] {alpha(dark, (int) (70 * sag)), alpha(dark, 0)}));
          g.fill(new Rectangle2D.Double(CX + s * (jawW + 2) - 22, jawY - 24, 44, 44));
          g.setPaint(
              new RadialGradientPaint(
                  new Point2D.Double(CX + s * (cheekW - 14), eyeY + 30),
                  16f,
                  new float[] {0f, 1f},
                  new Color[] {alpha(dark, (int) (60 * sag)), alpha(dark, 0)}));
          g.fill(new Rectangle2D.Double(CX + s * (cheekW - 14) - 16, eyeY + 14, 32, 32));
          // Jowl edge: a fold line from the mouth corner region down to the jaw.
          Shape jowl =
              new QuadCurve2D.Double(
                  CX + s * (f.mouthWidth + 12), mouthY + 6, CX + s * (jawW - 2), jawY + 4,
                  CX + s * (jawW - 8), jawY + 14 + 4 * sag);
          wrinkle(g, jowl, 0.4 * sag, 1.5);
        }
      }
      drawSkinTexture(g);
      drawForehead(g);
      g.setClip(oldClip);
      // Jaw outline.
      g.setColor(alpha(dark, 70));
      g.setStroke(new BasicStroke(1.2f));
      g.draw(face);
    }

    void drawSkinTexture(Graphics2D g) {
      SplittableRandom r = new SplittableRandom(f.detailSeed ^ 0x7E47);
      // Pores/roughness: many faint dots, more visible with age.
      double rough = 0.25 + 0.75 * smooth(25, 85, age);
      for (int i = 0; i < 500; i++) {
        double x = CX - cheekW + 2 * cheekW * r.nextDouble();
        double y = top + (chinY - top) * r.nextDouble();
        boolean darker = r.nextBoolean();
        int a = (int) (rough * (10 + 16 * r.nextDouble()));
        g.setColor(alpha(darker ? dark : light, a));
        double d = 1.2 + 1.6 * r.nextDouble();
        g.fill(new Ellipse2D.Double(x, y, d, d));
      }
      // Age spots from the mid fifties.
      double spots = smooth(52, 85, age);
      for (int i = 0; i < 14; i++) {
        double x = CX - cheekW * 0.9 + 1.8 * cheekW * r.nextDouble();
        double y = top + 8 + 120 * r.nextDouble();
        double d = 2 + 2.5 * r.nextDouble();
        double onset = r.nextDouble();
        int a = (int) (110 * smooth(onset * 0.6, onset * 0.6 + 0.4, spots));
        if (a > 0) {
          g.setColor(new Color(120, 78, 40, a));
          g.fill(new Ellipse2D.Double(x, y, d, d * (0.7 + 0.3 * r.nextDouble())));
        }
      }
    }

    void drawForehead(Graphics2D g) {
      SplittableRandom r = new SplittableRandom(f.detailSeed ^ 0xF0E);
      double browY = eyeY - 17;
      // Horizontal forehead lines between the brows and the hairline.
      for (int i = 0; i < 4; i++) {
        double y = browY - 12 - 8 * i - r.nextDouble() * 2;
        double w = cheekW * (0.5 - 0.05 * i) + 6 * r.nextDouble();
        double bend = 3 + 2 * r.nextDouble();
        GeneralPath p = new GeneralPath();
        p.moveTo(CX - w, y + bend);
        p.curveTo(CX - w / 3, y - bend * 0.5 + r.nextDouble() * 2, CX + w / 3,
            y - bend * 0.5 + r.nextDouble() * 2, CX + w, y + bend);
        double depth = lines * (1 - 0.18 * i);
        wrinkle(g, p, depth, 1.5 + 0.6 * lines);
      }
      // Frown lines between the brows.
      for (int s = -1; s <= 1; s += 2) {
        Shape c = new QuadCurve2D.Double(CX + s * 5, browY + 2, CX + s * 3, browY - 6,
            CX + s * 6, browY - 13);
        wrinkle(g, c, deep * 0.9, 1.3);
      }
    }

    void drawHair(Graphics2D g) {
      // Cap: the skull plus a margin, above the hairline. The hairline recedes at the temples first
      // (an M shape), then across the top.
      double w = cheekW + 5;
      Shape skull = new Ellipse2D.Double(CX - w, top - 14, 2 * w, 2 * (128 - top + 14));
      double base = f.hairlineY - 2 * (1 - growth) - 42 * recede * recede;
      double temple = 22 * recede;
      GeneralPath above = new GeneralPath();
      above.moveTo(CX - w - 10, 0);
      above.lineTo(CX - w - 10, 128);
      above.lineTo(CX - cheekW + 2, 128);
      above.curveTo(CX - cheekW + 2, 100, CX - w * 0.6, base - temple, CX - w * 0.4, base - temple);
      above.curveTo(CX - w * 0.2, base - temple * 0.3, CX - 8, base, CX, base);
      above.curveTo(CX + 8, base, CX + w * 0.2, base - temple * 0.3, CX + w * 0.4, base - temple);
      above.curveTo(CX + w * 0.6, base - temple, CX + cheekW - 2, 100, CX + cheekW - 2, 128);
      above.lineTo(CX + w + 10, 128);
      above.lineTo(CX + w + 10, 0);
      above.closePath();
      Area hair = new Area(skull);
      if (f.hairStyle == 0) {
        hair.intersect(new Area(new Rectangle2D.Double(0, 0, 256, 124)));
      }
      hair.intersect(new Area(above));
      // Balding crown: with strong recession the top thins to skin.
      double thin = smooth(0.55, 1.0, recede);
      Shape oldClip = g.getClip();
      g.clip(hair);
      g.setColor(hairColor(grey * 0.7));
      g.fill(hair);
      if (thin > 0) {
        g.setPaint(
            new RadialGradientPaint(
                new Point2D.Double(CX, top + 8),
                (float) (w * 0.95),
                new float[] {0f, 0.7f, 1f},
                new Color[] {alpha(skin, (int) (255 * thin)), alpha(skin, (int) (200 * thin)),
                    alpha(skin, 0)}));
        g.fill(hair);
      }
      drawStrands(g, hair.getBounds2D(), 0x4A1F, 420, thin);
      g.setClip(oldClip);
    }

    /** Strands that each grey at their own age, giving salt-and-pepper hair. */
    void drawStrands(Graphics2D g, Rectangle2D b, long salt, int count, double thin) {
      SplittableRandom r = new SplittableRandom(f.detailSeed ^ salt);
      g.setStroke(new BasicStroke(1.1f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
      for (int i = 0; i < count; i++) {
        double x = b.getX() + b.getWidth() * r.nextDouble();
        double y = b.getY() + b.getHeight() * r.nextDouble();
        double ang = Math.atan2(y - (top + 60), x - CX) + 0.4 * (r.nextDouble() - 0.5);
        double len = 8 + 10 * r.nextDouble();
        double threshold = r.nextDouble();
        double strandGrey = smooth(threshold - 0.25, threshold + 0.05, grey);
        double shade = 0.75 + 0.5 * r.nextDouble();
        int a = (int) (200 * (1 - 0.8 * thin * smooth(0, 1, 1 - (y - b.getY()) / b.getHeight())));
        g.setColor(alpha(scale(hairColor(strandGrey), shade), a));
        g.draw(new QuadCurve2D.Double(x, y, x + Math.cos(ang) * len * 0.5 + 2,
            y + Math.sin(ang) * len * 0.5, x + Math.cos(ang) * len, y + Math.sin(ang) * len));
      }
    }

    void drawBrows(Graphics2D g) {
      double browY = eyeY - 17 + 1.5 * sag;
      Color c = scale(hairColor(smooth(0.3, 1, grey) * 0.85), 0.75);
      float th = (float) (f.browThickness * (1 - 0.25 * sag));
      g.setStroke(new BasicStroke(th, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
      g.setColor(c);
      for (int s = -1; s <= 1; s += 2) {
        double x0 = CX + s * (f.eyeSpacing - 11);
        double x1 = CX + s * (f.eyeSpacing + 13 - 2 * sag);
        Shape p = new QuadCurve2D.Double(x0, browY + 1, (x0 + x1) / 2, browY - f.browArch, x1,
            browY + 3 + 2 * sag);
        g.draw(p);
      }
    }

    void drawEyes(Graphics2D g) {
      double scale = f.eyeSize * (1.1 - 0.1 * growth) * (1 - 0.08 * sag);
      double ew = 11 * scale;
      double eh = 5 * scale;
      for (int s = -1; s <= 1; s += 2) {
        double ex = CX + s * f.eyeSpacing;
        GeneralPath eye = new GeneralPath();
        eye.moveTo(ex - ew, eyeY);
        eye.quadTo(ex, eyeY - 2 * eh, ex + ew, eyeY + s * 0.5 * sag);
        eye.quadTo(ex, eyeY + 1.6 * eh, ex - ew, eyeY);
        eye.closePath();
        // Eye bags: a soft dark crescent and a fold line under the eye.
        double bagY = eyeY + eh + 3;
        g.setPaint(
            new RadialGradientPaint(
                new Point2D.Double(ex, bagY),
                (float) (ew * 1.1),
                new float[] {0f, 1f},
                new Color[] {new Color(90, 50, 70, (int) (70 * deep)), new Color(90, 50, 70, 0)}));
        g.fill(new Rectangle2D.Double(ex - ew * 1.2, bagY - ew * 1.1, ew * 2.4, ew * 2.2));
        Shape bag = new QuadCurve2D.Double(ex - ew * 0.8, bagY, ex, bagY + 5 + 4 * deep,
            ex + ew * 0.9, bagY - 1);
        wrinkle(g, bag, deep, 1.4);
        Shape bag2 = new QuadCurve2D.Double(ex - ew * 0.7, bagY + 5, ex, bagY + 12 + 3 * sag,
            ex + ew, bagY + 4);
        wrinkle(g, bag2, 0.7 * sag, 1.2);
        // Crow's feet fanning out from the outer corner.
        SplittableRandom r = new SplittableRandom(f.detailSeed ^ (s > 0 ? 0xC0 : 0xC1));
        for (int i = 0; i < 4; i++) {
          double ang = Math.toRadians(-35 + 22 * i + 8 * r.nextDouble());
          double len = 5 + 9 * deep + 3 * r.nextDouble();
          double x0 = ex + s * (ew + 3);
          double y0 = eyeY;
          Shape l = new QuadCurve2D.Double(x0, y0, x0 + s * Math.cos(ang) * len * 0.5,
              y0 + Math.sin(ang) * len * 0.5 - 1, x0 + s * Math.cos(ang) * len,
              y0 + Math.sin(ang) * len);
          wrinkle(g, l, deep * (0.9 - 0.1 * i), 1.1);
        }
        g.setColor(new Color(246, 244, 240));
        g.fill(eye);
        Shape clip = g.getClip();
        g.clip(eye);
        double ir = 4.6 * scale;
        g.setColor(f.iris);
        g.fill(new Ellipse2D.Double(ex - ir, eyeY - ir - 0.5, 2 * ir, 2 * ir));
        g.setColor(new Color(15, 12, 12));
        g.fill(new Ellipse2D.Double(ex - ir * 0.45, eyeY - ir * 0.45 - 0.5, ir * 0.9, ir * 0.9));
        g.setColor(new Color(255, 255, 255, 220));
        g.fill(new Ellipse2D.Double(ex - ir * 0.5, eyeY - ir * 0.7, ir * 0.4, ir * 0.4));
        // Hooded upper lid: skin descends over the eye with age.
        double hood = 0.55 * sag + 0.25 * deep;
        if (hood > 0) {
          g.setColor(scale(skin, 0.95));
          g.fill(new Ellipse2D.Double(ex - ew * 1.3, eyeY - 2 * eh - 8 + 5.5 * hood * scale,
              ew * 2.6, 2 * eh + 6));
        }
        g.setClip(clip);
        g.setColor(new Color(40, 28, 24));
        g.setStroke(new BasicStroke(1.5f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        GeneralPath lid = new GeneralPath();
        lid.moveTo(ex - ew, eyeY);
        lid.quadTo(ex, eyeY - 2 * eh, ex + ew, eyeY + s * 0.5 * sag);
        g.draw(lid);
        // Lid crease.
        Shape crease = new QuadCurve2D.Double(ex - ew * 0.9, eyeY - eh * 0.8, ex,
            eyeY - 2 * eh - 4 + 3 * hood, ex + ew * 1.05, eyeY - eh * 0.2 + 2 * sag);
        wrinkle(g, crease, 0.35 + 0.5 * hood, 1.2);
      }
    }

    void drawNose(Graphics2D g) {
      double w = f.noseWidth + 1.5 * sag;
      double y = noseTipY;
      // Side shading of the bridge.
      g.setStroke(new BasicStroke(2.2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
      g.setColor(alpha(dark, 45));
      g.draw(new QuadCurve2D.Double(CX - 6, eyeY - 4, CX - 8, (eyeY + y) / 2, CX - w * 0.8, y - 5));
      // Tip highlight and nostrils.
      g.setPaint(
          new RadialGradientPaint(
              new Point2D.Double(CX, y - 3),
              (float) w,
              new float[] {0f, 1f},
              new Color[] {alpha(light, 90), alpha(light, 0)}));
      g.fill(new Ellipse2D.Double(CX - w, y - 3 - w, 2 * w, 2 * w));
      g.setColor(alpha(dark, 150));
      for (int s = -1; s <= 1; s += 2) {
        g.fill(new Ellipse2D.Double(CX + s * w * 0.42 - 2.6, y + 1, 5.2, 3.2));
      }
      g.setColor(alpha(dark, 110));
      g.setStroke(new BasicStroke(1.5f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
      GeneralPath wing = new GeneralPath();
      wing.moveTo(CX - w, y - 4);
      wing.quadTo(CX - w - 2, y + 4, CX - w * 0.35, y + 4);
      wing.moveTo(CX + w, y - 4);
      wing.quadTo(CX + w + 2, y + 4, CX + w * 0.35, y + 4);
      g.draw(wing);
    }

    void drawFolds(Graphics2D g) {
      double w = f.noseWidth + 1.5 * sag;
      for (int s = -1; s <= 1; s += 2) {
        // Nasolabial fold: from the nose wing to beyond the mouth corner.
        double x0 = CX + s * (w + 5);
        double y0 = noseTipY - 1;
        double x2 = CX + s * (f.mouthWidth + 6 + 3 * sag);
        double y2 = mouthY + 6 + 6 * sag;
        Shape fold =
            new QuadCurve2D.Double(x0, y0, CX + s * (f.mouthWidth + 11 + 2 * sag),
                (y0 + y2) / 2 - 2, x2, y2);
        wrinkle(g, fold, 0.06 + 0.8 * lines, 1.4 + 1.2 * lines);
        // Marionette lines from the mouth corners down.
        Shape mar =
            new QuadCurve2D.Double(CX + s * (f.mouthWidth + 1), mouthY + 3,
                CX + s * (f.mouthWidth + 3), mouthY + 12, CX + s * (f.mouthWidth + 1),
                mouthY + 20 + 4 * sag);
        wrinkle(g, mar, 0.7 * sag, 1.3);
      }
    }

    void drawMouth(Graphics2D g) {
      double mw = f.mouthWidth * (0.92 + 0.08 * growth);
      double t = f.lipThickness * (1 - 0.45 * smooth(30, 85, age));
      double droop = 4 * sag;
      double y = mouthY;
      Color lip = FaceTraits.lerp(f.lips, skin, 0.45 * smooth(30, 85, age));
      GeneralPath upper = new GeneralPath();
      upper.moveTo(CX - mw, y + droop);
      upper.curveTo(CX - mw * 0.5, y - 5 * t, CX - 3, y - 6 * t, CX, y - 4 * t);
      upper.curveTo(CX + 3, y - 6 * t, CX + mw * 0.5, y - 5 * t, CX + mw, y + droop);
      upper.quadTo(CX, y + 1, CX - mw, y + droop);
      upper.closePath();
      GeneralPath lower = new GeneralPath();
      lower.moveTo(CX - mw, y + droop);
      lower.quadTo(CX, y + 1, CX + mw, y + droop);
      lower.curveTo(CX + mw * 0.5, y + 8 * t + 1, CX - mw * 0.5, y + 8 * t + 1, CX - mw,
          y + droop);
      lower.closePath();
      g.setColor(scale(lip, 0.88));
      g.fill(upper);
      g.setColor(lip);
      g.fill(lower);
      g.setColor(alpha(scale(lip, 0.5), 200));
      g.setStroke(new BasicStroke(1.3f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
      GeneralPath seam = new GeneralPath();
      seam.moveTo(CX - mw, y + droop);
      seam.quadTo(CX, y + 1, CX + mw, y + droop);
      g.draw(seam);
      // Vertical lip lines in old age.
      double ll = smooth(58 + f.wrinkleOnset, 88, age);
      if (ll > 0) {
        for (int i = -3; i <= 3; i++) {
          if (i == 0) {
            continue;
          }
          double x = CX + i * mw * 0.22;
          Shape l = new QuadCurve2D.Double(x, y - 4 * t - 1, x + 0.5, y - 4 * t - 4, x + i * 0.3,
              y - 4 * t - 7);
          wrinkle(g, l, ll * 0.8, 0.9);
        }
      }
    }

    /** {@return the width in design units of one output pixel} */
    double minStroke() {
      return 256.0 / (size * ZOOM);
    }

    /** A wrinkle: a dark crease with a faint highlight just above it. */
    void wrinkle(Graphics2D g, Shape s, double depth, double width) {
      if (depth <= 0.01) {
        return;
      }
      double d = Math.min(1, depth);
      // At least one output pixel wide: a thinner crease is antialiased into a faint smear.
      double w = Math.max(width, minStroke());
      g.setStroke(new BasicStroke((float) w, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
      AffineTransform up = AffineTransform.getTranslateInstance(0, -w * 0.9);
      g.setColor(alpha(light, (int) (110 * d)));
      g.draw(up.createTransformedShape(s));
      g.setColor(alpha(dark, (int) (165 * d)));
      g.draw(s);
    }
  }

  static Shape closedSpline(double[][] p) {
    // Closed Catmull-Rom spline through the points, as cubic Beziers.
    Path2D.Double path = new Path2D.Double();
    int n = p.length;
    path.moveTo(p[0][0], p[0][1]);
    for (int i = 0; i < n; i++) {
      double[] p0 = p[(i - 1 + n) % n];
      double[] p1 = p[i];
      double[] p2 = p[(i + 1) % n];
      double[] p3 = p[(i + 2) % n];
      path.curveTo(
          p1[0] + (p2[0] - p0[0]) / 6,
          p1[1] + (p2[1] - p0[1]) / 6,
          p2[0] - (p3[0] - p1[0]) / 6,
          p2[1] - (p3[1] - p1[1]) / 6,
          p2[0],
          p2[1]);
    }
    path.closePath();
    return path;
  }

  static Color alpha(Color c, int a) {
    return new Color(c.getRed(), c.getGreen(), c.getBlue(), Math.max(0, Math.min(255, a)));
  }

  static Color scale(Color c, double k) {
    return new Color(clamp(c.getRed() * k), clamp(c.getGreen() * k), clamp(c.getBlue() * k));
  }

  static int clamp(double v) {
    return (int) Math.max(0, Math.min(255, Math.round(v)));
  }
}
