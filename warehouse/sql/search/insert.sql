-- the search index rows of the episodes in _search_todo (a chunk of them: see create.sql, delete.sql)
insert into segment_terms
with segments as (
    select episode_id, seq, lower(text) as text
    from segments
    where not is_event and episode_id in (select episode_id from _search_todo)
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

insert into segment_lengths
with terms as (
    select * from segment_terms
    where episode_id in (select episode_id from _search_todo)
),

final as (
    select episode_id, seq, sum(tf) as len
    from terms
    group by all
)

select * from final;
