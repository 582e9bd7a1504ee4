// Package archive moves predictions older than the retention period out of
// the database into Parquet files in blob storage (a directory, or S3 and
// S3-compatible stores), one file per model version, day and part, that
// DuckDB, Spark or pandas read directly.
//
// Each day is exported from one database snapshot to a temporary object,
// copied to its final name, read back and checked (row count and a checksum
// of every value) and only then deleted from the database, in a transaction
// that deletes nothing if a prediction or label arrived since the export and
// records the part otherwise. A crash at any step leaves every prediction
// in the database, in the archive, or (until the next run overwrites the
// unrecorded part) in both; re-running is idempotent. Rollups stay, so
// statistics of archived days keep working.
//
// PruneJob keeps the rollups themselves in check: minute rollups past one
// retention and hour rollups past another are deleted (day rollups are kept
// forever), and reads fall back to the finest resolution kept.
//
// Files are laid out Hive-style:
//
//	model_name=<name>/model_version=<version>/date=YYYY-MM-DD/part-0001.parquet
//
// with typed columns for the prediction's fields and, when every prediction
// of the file has the same features with one type each, a features struct
// (else a features_json column holding each prediction's feature object).
package archive
