package io.spanline.archivespark;

import java.util.List;
import org.apache.spark.sql.SparkSession;

/**
 * Apache Spark SQL in local mode over a downloaded copy of the Parquet archive: the folder's
 * Parquet files become the table {@code spans}, its Hive folders ({@code tenant=…/date=…/hour=…})
 * its partition columns by Spark's partition discovery ({@code tenant} a string, {@code date} a
 * date, {@code hour} an integer), and files whose names start with {@code _} (the hour's trace-ID
 * index, compaction manifests) are left out, as Spark leaves out every such file.
 *
 * <p>Usage: {@code SparkArchiveSql <archive folder> <sql> [<sql> …]}. Prints, on standard output,
 * one line {@code schema<TAB><the table's schema as Spark's JSON>} and then, for the {@code n}th
 * statement (from 0), one line {@code <n><TAB><row as JSON>} per row of its answer, in the answer's
 * order. Spark's own log goes to standard error. Exits 2 on a usage error; a statement Spark
 * refuses ends the program with Spark's exception (exit status 1).
 *
 * <p>Spark binds its driver to 127.0.0.1, runs without its web UI, and reads times in UTC. The JVM
 * needs the {@code --add-opens} options Spark's own launcher adds on Java 17 (the test that starts
 * this program passes them).
 */
public final class SparkArchiveSql {
  private SparkArchiveSql() {}

  public static void main(String[] args) {
    if (args.length < 2) {
      System.err.println("usage: SparkArchiveSql <archive folder> <sql> [<sql> ...]");
      System.exit(2);
    }
    String archive = args[0];
    SparkSession spark =
        SparkSession.builder()
            .appName("spanline-archive-sql")
            .master("local[2]")
            .config("spark.ui.enabled", "false")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.sql.shuffle.partitions", "2")
            .config("spark.sql.session.timeZone", "UTC")
            .getOrCreate();
    try {
      spark.read().option("basePath", archive).parquet(archive).createOrReplaceTempView("spans");
      System.out.println("schema\t" + spark.table("spans").schema().json());
      for (int i = 1; i < args.length; i++) {
        List<String> rows = spark.sql(args[i]).toJSON().collectAsList();
        for (String row : rows) {
          System.out.println((i - 1) + "\t" + row);
        }
      }
      System.out.flush();
    } finally {
      spark.stop();
    }
  }
}
