-- report: the expectations that failed, with a sample of the failing values
select pass_no, table_name, expectation, column_name, unexpected_count, sample
from validation_results
where not success
order by pass_no, table_name, expectation, column_name
limit $limit
