-- report: what cleaning removed from the files of one episode
with files as (
    select file_id from episode_versions
    where episode_id = $episode_id
),

final as (
    select rejects.path, rejects.scope, rejects.seq, rejects.rule, rejects.reason, rejects.content
    from rejects
    join files using (file_id)
)

select * from final
order by path, seq
limit 200
