-- report: the run whose tables are published
select run_id, finished_at
from runs
where published
order by finished_at desc
limit 1
