-- report: one episode's header (duration in seconds, from the last segment where the source has none)
with episodes as (
    select * from episodes
    where episode_id = $episode_id
),

speech as (
    select max(end_s) as last_end_s, count(*) filter (where is_teaser) as n_teaser_segments
    from segments
    where episode_id = $episode_id
),

final as (
    select
        episodes.episode_id,
        coalesce(episodes.title, episodes.episode_id) as title,
        episodes.show_name,
        episodes.episode_number,
        episodes.video_id,
        episodes.published_date,
        episodes.hosts,
        episodes.guests,
        coalesce(episodes.duration_s, speech.last_end_s) as duration_s,
        episodes.description,
        episodes.n_versions,
        episodes.n_segments,
        episodes.n_words,
        speech.n_teaser_segments
    from episodes, speech
)

select * from final
