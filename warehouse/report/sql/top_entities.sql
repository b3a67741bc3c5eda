-- report: the most mentioned glossary entities across the corpus
select entity, entity_type, sum(n) as mentions, count(distinct episode_id) as episodes
from mentions
group by entity, entity_type
order by mentions desc, entity
limit $limit
