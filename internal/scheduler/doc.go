// Package scheduler runs jobs on cron schedules, once per scheduled time
// across every replica.
//
// A job is due when the latest time its schedule fires at or before now is
// later than the time it last ran for (or than the time it started to
// exist): after downtime a job runs once for the latest missed time, not once
// per missed time. Jobs take a lock through an injected Locker, in process by
// default and a PostgreSQL advisory lock when replicas share a database, and
// check again after taking it that nobody ran them meanwhile.
//
// Schedules are standard five-field cron specifications in UTC.
package scheduler
