-- report: what cleaning and quarantine removed, per rule
select rule, scope, count(*) as removed, count(distinct file_id) as files, any_value(reason) as reason
from rejects
group by rule, scope
order by removed desc, rule
