-- report: headline numbers of the corpus (hours of timed speech)
with files as (
    select count(*) as n_files from source_files
),

episodes as (
    select count(*) as n_episodes, coalesce(sum(n_words), 0) as n_words from episodes
),

timed as (
    select coalesce(sum(last_end_s), 0) / 3600.0 as hours
    from (select max(end_s) as last_end_s from segments group by episode_id)
),

final as (
    select
        files.n_files,
        episodes.n_episodes,
        (select count(*) from segments) as n_segments,
        episodes.n_words,
        timed.hours
    from files, episodes, timed
)

select * from final
