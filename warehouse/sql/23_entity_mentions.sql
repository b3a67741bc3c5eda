-- mart: entity mentions per episode, speaker and month of publication
create or replace view entity_mentions as
with mentions as (
    select * from mentions
),

episodes as (
    select episode_id, title, published_date from stg_episodes
),

final as (
    select
        mentions.episode_id,
        episodes.title,
        date_trunc('month', episodes.published_date) as month,
        mentions.speaker,
        mentions.entity,
        mentions.entity_type,
        sum(mentions.n) as n_mentions
    from mentions
    join episodes using (episode_id)
    group by all
)

select * from final
