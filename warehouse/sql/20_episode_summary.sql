-- mart: per episode, duration (seconds), words, speakers and versions
create or replace view episode_summary as
with episodes as (
    select * from stg_episodes
),

segments as (
    select * from stg_segments
),

speech as (
    select
        episode_id,
        count(*) filter (where not is_event) as n_segments,
        sum(n_words) filter (where not is_teaser and not is_event) as words_excl_teasers,
        count(*) filter (where is_teaser) as n_teaser_segments,
        count(distinct speaker) as n_speakers,
        max(end_s) as last_end_s
    from segments
    group by episode_id
),

final as (
    select
        episodes.episode_id,
        episodes.title,
        episodes.show_name,
        episodes.published_date,
        round(coalesce(episodes.duration_s, speech.last_end_s) / 60.0, 1) as duration_min,
        speech.words_excl_teasers as words,
        speech.n_speakers,
        speech.n_teaser_segments,
        episodes.n_versions
    from episodes
    left join speech using (episode_id)
)

select * from final
