-- search index for BM25, built from every segment: term frequencies per segment (segment_terms) and
-- words per segment (segment_lengths). Used on a first publish or when many episodes changed; other
-- publishes run update.sql for the changed episodes only.
create or replace table segment_terms as
with segments as (
    select episode_id, seq, lower(text) as text
    from segments
    where not is_event
),

terms as (
    select episode_id, seq, unnest(regexp_extract_all(text, '[a-z0-9]+(?:[''.-][a-z0-9]+)*')) as term
    from segments
),

final as (
    select episode_id, seq, term, count(*) as tf
    from terms
    group by all
)

select * from final;

create or replace table segment_lengths as
with terms as (
    select * from segment_terms
),

final as (
    select episode_id, seq, sum(tf) as len
    from terms
    group by all
)

select * from final;
