-- report: input files per detected format and kind
select
    format,
    kind,
    count(*) as files,
    count(*) filter (where status = 'loaded') as loaded,
    coalesce(sum(n_segments), 0) as segments,
    coalesce(sum(n_warnings), 0) as warnings
from source_files
group by all
order by files desc, format
