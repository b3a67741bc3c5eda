-- staging: one row per episode with a display label
create or replace view stg_episodes as
with source as (
    select * from episodes
),

final as (
    select
        episode_id,
        coalesce(title, episode_id) as title,
        show_name,
        episode_number,
        video_id,
        video_url,
        published_date,
        hosts,
        guests,
        duration_s,
        n_versions,
        n_words
    from source
)

select * from final
