-- report: chapters of one episode with their end (seconds) and a link to the moment
select seq, start_s, end_s, title, summary, link
from episode_chapters
where episode_id = $episode_id
order by seq
