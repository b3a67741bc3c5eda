-- report: how many episodes carry a publication date (the mentions chart uses only those)
select count(*) filter (where published_date is not null) as dated, count(*) as total
from episodes
