package io.github.fran4j.core.pipeline;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import java.util.ArrayList;
import java.util.List;

/**
 * Steadies faces over a sequence so that crops do not jitter: links each frame's faces into
 * tracks (greatest box overlap with the previous frame) and replaces every box and landmark by a
 * Gaussian-weighted average over neighbouring frames of the same track. Immutable and
 * thread-safe.
 *
 * <p>The window is centred and shrinks symmetrically near a track's ends, so uniform motion
 * (positions linear in time) passes through unchanged while frame-to-frame noise is averaged out.
 * This is an offline smoother: it needs the whole sequence's detections first.
 */
public final class LandmarkSmoother {
  private final double sigma;
  private final double minIou;

  /**
   * Creates a smoother.
   *
   * @param sigma the Gaussian's standard deviation in frames, &gt;= 0 (0: no smoothing)
   * @param minIou the least box overlap that links a face to the previous frame's face, in (0, 1]
   */
  public LandmarkSmoother(double sigma, double minIou) {
    checkArgument(sigma >= 0 && Double.isFinite(sigma), "sigma must be finite and >= 0 frames, got %s", sigma);
    checkArgument(minIou > 0 && minIou <= 1, "minIou must be in (0, 1], got %s", minIou);
    this.sigma = sigma;
    this.minIou = minIou;
  }

  /**
   * Smooths a sequence's detections.
   *
   * @param frames the faces of each frame, in frame order
   * @return the smoothed faces, same structure and order as the input
   */
  public List<List<Face>> smooth(List<List<Face>> frames) {
    checkNotNull(frames, "frames");
    int n = frames.size();
    // track[f][i]: the track id of face i in frame f.
    int[][] trackOf = new int[n][];
    List<List<int[]>> tracks = new ArrayList<>(); // each: {frame, index} in frame order
    for (int f = 0; f < n; f++) {
      List<Face> faces = checkNotNull(frames.get(f), "faces of frame %s", f);
      trackOf[f] = new int[faces.size()];
      boolean[] taken = new boolean[tracks.size()];
      for (int i = 0; i < faces.size(); i++) {
        int best = -1;
        double bestIou = minIou;
        if (f > 0) {
          for (int j = 0; j < frames.get(f - 1).size(); j++) {
            int t = trackOf[f - 1][j];
            double iou = faces.get(i).iou(frames.get(f - 1).get(j));
            if (!taken[t] && iou >= bestIou) {
              best = t;
              bestIou = iou;
            }
          }
        }
        if (best < 0) {
          best = tracks.size();
          tracks.add(new ArrayList<>());
          boolean[] grown = new boolean[tracks.size()];
          System.arraycopy(taken, 0, grown, 0, taken.length);
          taken = grown;
        }
        taken[best] = true;
        trackOf[f][i] = best;
        tracks.get(best).add(new int[] {f, i});
      }
    }
    Face[][] out = new Face[n][];
    for (int f = 0; f < n; f++) {
      out[f] = frames.get(f).toArray(new Face[0]);
    }
    for (List<int[]> track : tracks) {
      List<Face> faces = new ArrayList<>();
      for (int[] fi : track) {
        faces.add(frames.get(fi[0]).get(fi[1]));
      }
      List<Face> smoothed = smoothTrack(faces);
      for (int k = 0; k < track.size(); k++) {
        out[track.get(k)[0]][track.get(k)[1]] = smoothed.get(k);
      }
    }
    ImmutableList.Builder<List<Face>> result = ImmutableList.builder();
    for (Face[] row : out) {
      result.add(ImmutableList.copyOf(row));
    }
    return result.build();
  }

  /**
   * Smooths one track (one face per consecutive frame).
   *
   * @param track the faces in frame order
   * @return the smoothed faces
   */
  public List<Face> smoothTrack(List<Face> track) {
    int n = track.size();
    if (sigma == 0 || n < 3) {
      return ImmutableList.copyOf(track);
    }
    int radius = (int) Math.ceil(2 * sigma);
    int lm = track.get(0).landmarks().size();
    for (Face f : track) {
      if (f.landmarks().size() != lm) {
        lm = 0; // mixed landmark counts: smooth boxes only and drop landmarks
        break;
      }
    }
    ImmutableList.Builder<Face> out = ImmutableList.builder();
    for (int i = 0; i < n; i++) {
      int r = Math.min(radius, Math.min(i, n - 1 - i));
      double wsum = 0;
      double x = 0;
      double y = 0;
      double w = 0;
      double h = 0;
      double[] px = new double[lm];
      double[] py = new double[lm];
      for (int k = -r; k <= r; k++) {
        double wt = Math.exp(-0.5 * k * k / (sigma * sigma));
        Face f = track.get(i + k);
        wsum += wt;
        x += wt * f.x();
        y += wt * f.y();
        w += wt * f.width();
        h += wt * f.height();
        for (int p = 0; p < lm; p++) {
          px[p] += wt * f.landmarks().get(p).x();
          py[p] += wt * f.landmarks().get(p).y();
        }
      }
      Face s = Face.of(x / wsum, y / wsum, w / wsum, h / wsum, track.get(i).score());
      if (lm > 0) {
        List<Point> pts = new ArrayList<>(lm);
        for (int p = 0; p < lm; p++) {
          pts.add(new Point(px[p] / wsum, py[p] / wsum));
        }
        s = s.withLandmarks(pts);
      }
      out.add(s);
    }
    return out.build();
  }
}
