-- report: speaking runs of one episode (consecutive segments with the same speaker and teaser flag);
-- times in seconds, positions also in words for transcripts without times
with segments as (
    select
        seq,
        start_s,
        coalesce(end_s, lead(start_s) over (order by seq), start_s) as end_s,
        speaker,
        is_teaser,
        n_words,
        coalesce(sum(n_words) over (order by seq rows between unbounded preceding and 1 preceding), 0) as word_start
    from segments
    where episode_id = $episode_id and not is_event
),

islands as (
    select
        *,
        row_number() over (order by seq)
            - row_number() over (partition by coalesce(speaker, ''), is_teaser order by seq) as island
    from segments
),

final as (
    select
        speaker,
        is_teaser,
        min(start_s) as start_s,
        max(end_s) as end_s,
        min(word_start) as word_start,
        max(word_start + n_words) as word_end
    from islands
    group by speaker, is_teaser, island
)

select * from final
order by word_start
