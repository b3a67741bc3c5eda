-- mart: chapters with their end (next chapter's start) and a link to the moment in the video
create or replace view episode_chapters as
with chapters as (
    select * from chapters
),

episodes as (
    select episode_id, title, video_id from stg_episodes
),

final as (
    select
        chapters.episode_id,
        episodes.title as episode_title,
        chapters.seq,
        chapters.start_s,
        lead(chapters.start_s) over (partition by chapters.episode_id order by chapters.seq) as end_s,
        chapters.title,
        chapters.summary,
        case when episodes.video_id is not null and chapters.start_s is not null
            then 'https://www.youtube.com/watch?v=' || episodes.video_id || '&t=' || cast(floor(chapters.start_s) as bigint) || 's'
        end as link
    from chapters
    join episodes using (episode_id)
)

select * from final
