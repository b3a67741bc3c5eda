-- search index (a table, rebuilt at each publish): term frequencies per segment for BM25
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

select * from final
