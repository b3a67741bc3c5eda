-- report: the files merged into one episode, canonical first (coverage and WER against the canonical)
with versions as (
    select * from episode_versions
    where episode_id = $episode_id
),

files as (
    select file_id, min(path) as path
    from source_files
    group by file_id
),

final as (
    select
        versions.role,
        files.path,
        versions.format,
        versions.kind,
        versions.quality_rank,
        versions.n_words,
        versions.similarity,
        versions.coverage,
        versions.wer,
        versions.offset_s,
        versions.words_only_here,
        versions.join_signal
    from versions
    left join files using (file_id)
)

select * from final
order by quality_rank, path
