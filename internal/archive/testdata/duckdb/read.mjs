// Reads archive files with DuckDB, an independent Parquet reader, and prints
// for each file its column types and rows (ordered by timestamp, id) as JSON,
// and the row count of the whole archive read through its Hive layout.
// Usage: node read.mjs ARCHIVE_DIR FILE...
import { DuckDBInstance } from '@duckdb/node-api';

const [dir, ...files] = process.argv.slice(2);
const quote = (s) => "'" + s.replaceAll("'", "''") + "'";
const db = await DuckDBInstance.create(':memory:');
const c = await db.connect();
const out = { files: [] };
for (const f of files) {
  const cols = await c.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${quote(f)}, hive_partitioning = false)`);
  const rows = await c.runAndReadAll(`SELECT *, epoch_us("timestamp") AS _ts_us, epoch_us(labelled_at) AS _labelled_us
    FROM read_parquet(${quote(f)}, hive_partitioning = false) ORDER BY "timestamp", id`);
  out.files.push({
    file: f,
    columns: cols.getRowObjectsJson().map((x) => [x.column_name, x.column_type]),
    rows: rows.getRowObjectsJson(),
  });
}
const all = await c.runAndReadAll(`SELECT model_name, model_version, "date"::VARCHAR AS day, count(*)::INTEGER AS n
  FROM read_parquet(${quote(dir + '/**/*.parquet')}, hive_partitioning = true, hive_types_autocast = false, union_by_name = true)
  GROUP BY ALL ORDER BY ALL`);
out.days = all.getRowObjectsJson();
process.stdout.write(JSON.stringify(out));
