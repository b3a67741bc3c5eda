-- BM25 search over segments (k1 = 1.2, b = 0.75); $terms is a list of lower-case words, $limit a count
with query as (
    select unnest($terms::varchar[]) as term
),

stats as (
    select count(*) as n_docs, avg(len) as avg_len from segment_lengths
),

df as (
    select term, count(*) as df
    from segment_terms
    where term in (select term from query)
    group by term
),

scored as (
    select
        t.episode_id,
        t.seq,
        sum(
            ln(1 + (stats.n_docs - df.df + 0.5) / (df.df + 0.5))
            * t.tf * 2.2 / (t.tf + 1.2 * (0.25 + 0.75 * l.len / stats.avg_len))
        ) as score,
        count(distinct t.term) as matched_terms
    from segment_terms as t
    join df using (term)
    join segment_lengths as l using (episode_id, seq)
    cross join stats
    group by t.episode_id, t.seq
),

final as (
    select
        scored.score,
        e.title,
        s.start_s,
        s.speaker,
        s.text,
        case when e.video_id is not null and s.start_s is not null
            then 'https://www.youtube.com/watch?v=' || e.video_id || '&t=' || cast(floor(s.start_s) as bigint) || 's'
        end as link,
        scored.episode_id,
        scored.seq
    from scored
    join segments as s using (episode_id, seq)
    join episodes as e using (episode_id)
    order by scored.matched_terms desc, scored.score desc, scored.episode_id, scored.seq
    limit $limit
)

select * from final
