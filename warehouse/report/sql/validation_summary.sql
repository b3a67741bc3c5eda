-- report: outcome of every validation pass per table of the last published run
with results as (
    select * from validation_results
),

final as (
    select
        table_name,
        pass_no,
        count(*) as expectations,
        count(*) filter (where success) as passed,
        count(*) filter (where not success) as failed,
        coalesce(sum(unexpected_count) filter (where not success), 0) as unexpected_rows
    from results
    group by all
)

select * from final
order by table_name, pass_no
