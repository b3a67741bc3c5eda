-- report: the canonical transcript of one episode with the files its text, speaker and time came from
with segments as (
    select * from segments
    where episode_id = $episode_id
),

files as (
    select file_id, min(path) as path
    from source_files
    group by file_id
),

final as (
    select
        segments.seq,
        segments.start_s,
        segments.speaker,
        segments.text,
        segments.is_teaser,
        segments.is_event,
        segments.time_source,
        segments.agreement,
        segments.rules,
        text_file.path as text_path,
        speaker_file.path as speaker_path,
        time_file.path as time_path
    from segments
    left join files as text_file on text_file.file_id = segments.text_file_id
    left join files as speaker_file on speaker_file.file_id = segments.speaker_file_id
    left join files as time_file on time_file.file_id = segments.time_file_id
)

select * from final
order by seq
