-- mart: talk time (minutes) and words per speaker, teasers excluded, with share of the episode
create or replace view speaker_talk_time as
with speakers as (
    select * from speakers
),

episodes as (
    select episode_id, title from stg_episodes
),

final as (
    select
        episodes.title,
        speakers.episode_id,
        speakers.name as speaker,
        speakers.role,
        speakers.n_turns,
        speakers.words,
        round(speakers.seconds / 60.0, 1) as minutes,
        round(speakers.words / sum(speakers.words) over (partition by speakers.episode_id), 3) as share_of_words
    from speakers
    join episodes using (episode_id)
)

select * from final
