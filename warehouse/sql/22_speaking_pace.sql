-- mart: words per minute per speaker, over segments with a source or borrowed time only
create or replace view speaking_pace as
with segments as (
    select * from stg_segments
    where not is_teaser and not is_event and speaker is not null
        and time_source in ('source', 'borrowed') and duration_s > 0
),

final as (
    select
        episode_id,
        speaker,
        sum(n_words) as words,
        round(sum(duration_s) / 60.0, 1) as minutes,
        round(sum(n_words) / (sum(duration_s) / 60.0), 1) as words_per_minute
    from segments
    group by episode_id, speaker
    having sum(duration_s) >= 60
)

select * from final
