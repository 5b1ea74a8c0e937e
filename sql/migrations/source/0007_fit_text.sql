-- What the extract writes for each text value with a VARCHAR limit in the warehouse: the value cut to
-- max_bytes bytes of UTF-8 (mob.fit_bytes) without trailing blanks, as rtrim(mob.fit_bytes(value,
-- max_bytes)) would, but without rtrim's copy of every value: almost every value is short enough and ends
-- in something other than a blank, and is returned as it is (at 2,000,000 activities the extract's
-- statement spent as long fitting its text values as copying them). An SQL function, which PostgreSQL
-- writes into the statement.
CREATE FUNCTION mob.fit_text(value TEXT, max_bytes INTEGER) RETURNS TEXT
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN octet_length(value) <= max_bytes AND value NOT LIKE '% ' THEN value
              ELSE rtrim(mob.fit_bytes(value, max_bytes))
         END
$$;
