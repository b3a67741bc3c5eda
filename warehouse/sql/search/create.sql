-- search index for BM25: term frequencies per segment (segment_terms) and words per segment
-- (segment_lengths). Emptied here on a first publish or when many episodes changed, then filled by
-- insert.sql a chunk of episodes at a time (one statement over every segment's terms ran out of the
-- publish's memory cap at 10,000 episodes: 46 million term rows in one aggregation).
create or replace table segment_terms (episode_id varchar, seq integer, term varchar, tf bigint);
create or replace table segment_lengths (episode_id varchar, seq integer, len hugeint);
