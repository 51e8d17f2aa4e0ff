-- Written by hand (not generated): the SQLite functions app/models uses, for PostgreSQL
-- (docs/decisions/0160). julianday() of an instant, as SQLite computes it (days since noon UTC,
-- 24 November 4714 BC); text is read as an ISO-8601 instant ("Z" or an offset), a timestamp
-- without time zone as UTC (how Prisma and app/models write them).
CREATE OR REPLACE FUNCTION julianday(t timestamp) RETURNS double precision
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT extract(epoch FROM t)::double precision / 86400.0 + 2440587.5 $$;
CREATE OR REPLACE FUNCTION julianday(t timestamptz) RETURNS double precision
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT extract(epoch FROM t)::double precision / 86400.0 + 2440587.5 $$;
CREATE OR REPLACE FUNCTION julianday(t text) RETURNS double precision
  LANGUAGE sql STABLE STRICT PARALLEL SAFE AS $$ SELECT extract(epoch FROM t::timestamptz)::double precision / 86400.0 + 2440587.5 $$;
-- group_concat(text): SQLite's aggregate (comma-separated, NULLs skipped, order unspecified).
CREATE OR REPLACE FUNCTION facet_group_concat_step(acc text, v text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT CASE WHEN v IS NULL THEN acc WHEN acc IS NULL THEN v ELSE acc || ',' || v END $$;
CREATE OR REPLACE AGGREGATE group_concat(text) (SFUNC = facet_group_concat_step, STYPE = text);
-- substr() of a timestamp: SQLite holds instants as ISO-8601 text, so substr(orderDate, 1, 7) is the
-- month; here the same text is cut from the same ISO form.
CREATE OR REPLACE FUNCTION facet_iso(t timestamp) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT to_char(t, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') $$;
CREATE OR REPLACE FUNCTION substr(t timestamp, s integer, n integer) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT substr(facet_iso(t), s, n) $$;
CREATE OR REPLACE FUNCTION substr(t timestamp, s integer) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT substr(facet_iso(t), s) $$;
