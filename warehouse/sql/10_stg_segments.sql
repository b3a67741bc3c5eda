-- staging: canonical segments, renamed and typed for analysis (times in seconds)
create or replace view stg_segments as
with source as (
    select * from segments
),

final as (
    select
        episode_id,
        seq,
        start_s,
        end_s,
        coalesce(end_s - start_s, 0) as duration_s,
        speaker,
        text,
        n_words,
        is_teaser,
        is_event,
        time_source
    from source
)

select * from final
