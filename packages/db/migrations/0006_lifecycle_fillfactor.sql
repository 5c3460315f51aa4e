-- Custom migration (drizzle-kit cannot express table storage parameters).
-- Half of each finding_lifecycles page stays free, so that the daily update of a lifecycle that did not change
-- (last_seen_at, last_run_id; no indexed column) is a HOT update: the new row version goes on the same page and
-- none of the eight indexes gets a new entry. Pages written before this migration fill up to 100% as before
-- until their rows move (VACUUM FULL finding_lifecycles applies the setting to all pages at once).
ALTER TABLE "finding_lifecycles" SET (fillfactor = 50);
