-- report: what the parsers forgave or repaired, per warning code
select code, count(distinct file_id) as files, count(*) as warnings, any_value(message) as example
from parse_warnings
group by code
order by warnings desc, code
