package io.github.fran4j.spark;

import java.io.IOException;
import java.util.HashMap;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.FilterFunction;
import org.apache.spark.sql.Row;

/** Keeps the manifest rows whose {@code output_path} file exists (for {@code --resume}). */
final class OutputExists implements FilterFunction<Row> {
  private static final long serialVersionUID = 1L;
  private final HashMap<String, String> conf;
  private transient org.apache.hadoop.conf.Configuration hadoopConf; // built once per task

  OutputExists(HashMap<String, String> conf) {
    this.conf = conf;
  }

  @Override
  public boolean call(Row row) throws IOException {
    String out = row.getAs("output_path");
    if (out == null) {
      return false;
    }
    if (hadoopConf == null) {
      hadoopConf = OutputLayout.configuration(conf);
    }
    Path p = new Path(out);
    return AtomicFiles.fileSystem(p, hadoopConf).exists(p);
  }
}
