-- report: input files per status (loaded / duplicate_copy / quarantined)
select status, count(*) as files
from source_files
group by status
