-- report: files that were not loaded, quarantined first, with the reason
with files as (
    select * from source_files
    where status <> 'loaded'
),

final as (
    select path, status, format, reason, copy_of
    from files
)

select * from final
order by status desc, path
limit $limit
