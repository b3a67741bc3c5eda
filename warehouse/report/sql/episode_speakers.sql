-- report: talk time (seconds) and words per speaker, teasers excluded; hosts first
select name, role, n_turns, words, seconds
from speakers
where episode_id = $episode_id
order by case role when 'host' then 0 when 'guest' then 1 else 2 end, words desc, name
