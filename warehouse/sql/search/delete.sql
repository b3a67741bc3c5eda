-- search index, kept up to date: the publish lists in _search_todo the episodes whose rows changed
-- (added, removed, or rebuilt from other files); their rows go here, and insert.sql recomputes them.
delete from segment_terms where episode_id in (select episode_id from _search_todo);
delete from segment_lengths where episode_id in (select episode_id from _search_todo);
