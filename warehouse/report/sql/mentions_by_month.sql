-- report: monthly mentions of the top entities, over episodes with a publication date
with dated as (
    select episode_id, date_trunc('month', published_date) as month
    from episodes
    where published_date is not null
),

dated_mentions as (
    select dated.month, mentions.entity, mentions.n
    from mentions
    join dated using (episode_id)
),

top as (
    select entity, sum(n) as total
    from dated_mentions
    group by entity
    order by total desc, entity
    limit $top
),

final as (
    select dated_mentions.month, dated_mentions.entity, top.total, sum(dated_mentions.n) as n
    from dated_mentions
    join top using (entity)
    group by all
)

select * from final
order by total desc, entity, month
