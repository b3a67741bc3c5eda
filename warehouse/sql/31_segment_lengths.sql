-- search index: words per segment, for BM25 length normalisation
create or replace table segment_lengths as
with terms as (
    select * from segment_terms
),

final as (
    select episode_id, seq, sum(tf) as len
    from terms
    group by all
)

select * from final
