// Package migrate applies a store's embedded SQL migrations in order, each
// once, each in its own transaction.
//
// Migrations are files named NNNN_description.sql in an fs.FS; the number is
// the version. Applied versions are recorded in the schema_migrations table.
// A database newer than the binary (a version recorded that the binary does
// not know) is an error rather than silently ignored.
package migrate
