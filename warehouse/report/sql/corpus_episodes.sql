-- report: one row per episode for the corpus table (duration in seconds, words of the canonical text)
with episodes as (
    select * from episodes
),

speech as (
    select episode_id, max(end_s) as last_end_s
    from segments
    group by episode_id
),

named as (
    select episode_id, list(name order by role, words desc, name) as speakers
    from speakers
    group by episode_id
),

final as (
    select
        episodes.episode_id,
        coalesce(episodes.title, episodes.episode_id) as title,
        episodes.show_name,
        episodes.episode_number,
        episodes.published_date,
        coalesce(episodes.duration_s, speech.last_end_s) as duration_s,
        episodes.hosts,
        episodes.guests,
        named.speakers,
        episodes.n_versions,
        episodes.n_words,
        episodes.video_id
    from episodes
    left join speech using (episode_id)
    left join named using (episode_id)
)

select * from final
order by published_date desc nulls last, title, episode_id
