-- report: the entities one episode mentions most
select entity, entity_type, sum(n) as mentions, count(distinct seq) as segments
from mentions
where episode_id = $episode_id
group by entity, entity_type
order by mentions desc, entity
limit 12
