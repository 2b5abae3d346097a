-- Issue 15: a deferral (no Instagram account usable yet) wrote its reason into error_message, so a task that later
-- succeeded showed "waiting for an Instagram account" as its last error. The waiting reason has its own column;
-- error_message keeps the last real error. It means something only while the task is pending (the API shows it then).
ALTER TABLE scrape_tasks ADD COLUMN waiting_reason text;
