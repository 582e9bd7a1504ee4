-- A detection is stored once: replicas sharing the database feed the same
-- labels to the same detectors and reach the same detections.
DELETE FROM concept_events WHERE id NOT IN (
	SELECT MIN(id) FROM concept_events GROUP BY mv_id, detector, kind, seq);
CREATE UNIQUE INDEX concept_events_once ON concept_events (mv_id, detector, kind, seq);
